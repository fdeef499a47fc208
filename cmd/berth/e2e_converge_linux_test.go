package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestE2EUpStartsStoppedContainers: up starts a stopped container, and one whose main
// process exited by itself, whose config did not change, as Compose does: the same
// containers, with what they wrote outside volumes; create leaves them stopped.
func TestE2EUpStartsStoppedContainers(t *testing.T) {
	e := newE2E(t).withPools("10.234.0.0/16")
	file := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sh", "-c", "echo ran >> /tmp/runs; exec sleep 300"]
    init: true
  job:
    image: bte-busybox
    command: ["sh", "-c", "echo ran >> /tmp/runs"]
`)
	e.mustBerth("-f", file, "up", "-d")
	e.waitState(file, e.ctr("job"), "exited", 0)
	ids := map[string]string{"app": e.containerID(file, "app"), "job": e.containerID(file, "job")}
	e.mustBerth("-f", file, "stop", "app")
	e.mustBerth("-f", file, "create")
	if c := e.psAll(file)[e.ctr("app")]; c["State"] != "exited" {
		t.Errorf("app after create = %v, want still exited: create starts nothing", c)
	}
	if plan := e.mustBerth("-f", file, "up", "--dry-run"); plan != "start container "+e.ctr("app")+"\nstart container "+e.ctr("job")+"\n" {
		t.Errorf("up --dry-run after stop = %q, want both started", plan)
	}
	e.mustBerth("-f", file, "up", "-d")
	e.waitState(file, e.ctr("job"), "exited", 0)
	for svc, id := range ids {
		if got := e.containerID(file, svc); got != id {
			t.Errorf("%s after up = container %s, want the same container %s started again", svc, got, id)
		}
	}
	if out := e.mustBerth("-f", file, "exec", "-T", "app", "cat", "/tmp/runs"); out != "ran\nran\n" {
		t.Errorf("app's /tmp/runs = %q, want two runs in the same writable layer", out)
	}
	if c := e.psAll(file)[e.ctr("app")]; c["State"] != "running" {
		t.Errorf("app after up = %v, want running", c)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
}

// TestE2EForceRecreateNamedOnly: `up --force-recreate web` recreates web, not the db it
// depends on; with --always-recreate-deps, db too.
func TestE2EForceRecreateNamedOnly(t *testing.T) {
	e := newE2E(t).withPools("10.235.0.0/16")
	file := writeCompose(t, `services:
  db:
    image: bte-busybox
    command: ["sleep", "300"]
    init: true
  web:
    image: bte-busybox
    command: ["sleep", "300"]
    init: true
    depends_on: [db]
`)
	e.mustBerth("-f", file, "up", "-d")
	db, web := e.containerID(file, "db"), e.containerID(file, "web")
	e.mustBerth("-f", file, "up", "-d", "--force-recreate", "web")
	if got := e.containerID(file, "db"); got != db {
		t.Errorf("db after up --force-recreate web = %s, want it kept (%s)", got, db)
	}
	if got := e.containerID(file, "web"); got == web {
		t.Errorf("web after up --force-recreate web = %s, want a new container", got)
	}
	db, web = e.containerID(file, "db"), e.containerID(file, "web")
	e.mustBerth("-f", file, "up", "-d", "--force-recreate", "--always-recreate-deps", "web")
	if got := e.containerID(file, "db"); got == db {
		t.Errorf("db after up --force-recreate --always-recreate-deps web = %s, want a new container", got)
	}
	if got := e.containerID(file, "web"); got == web {
		t.Errorf("web after up --force-recreate --always-recreate-deps web = %s, want a new container", got)
	}
	if _, errs, err := e.berth("-f", file, "up", "-d", "--always-recreate-deps", "--no-recreate"); err == nil || !strings.Contains(errs, "incompatible") {
		t.Errorf("up --always-recreate-deps --no-recreate = %v, %q; want an error, as Compose", err, errs)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
}

// TestE2EDownVolumesAfterDown: `down -v` after a plain `down` still removes the
// project's named volumes (found by their labels), and no other project's.
func TestE2EDownVolumesAfterDown(t *testing.T) {
	e := newE2E(t).withPools("10.236.0.0/16")
	file := writeCompose(t, `services:
  db:
    image: bte-busybox
    command: ["sh", "-c", "echo kept > /data/f; exec sleep 300"]
    init: true
    volumes: ["data:/data"]
volumes:
  data:
`)
	other := filepath.Join(e.root, "volumes", "someoneelse_data", "_data")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	e.mustBerth("-f", file, "up", "-d")
	vol := filepath.Join(e.root, "volumes", e.project+"_data")
	if !eventually(10*time.Second, func() bool { _, err := os.Stat(filepath.Join(vol, "_data", "f")); return err == nil }) {
		t.Fatal("db did not write to its volume")
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	if _, err := os.Stat(filepath.Join(vol, "_data", "f")); err != nil {
		t.Fatalf("volume after a plain down: %v, want it kept", err)
	}
	_, errs, err := e.berth("-f", file, "down", "-v")
	if err != nil {
		t.Fatalf("down -v after down: %v\n%s", err, errs)
	}
	if _, err := os.Stat(vol); !os.IsNotExist(err) {
		t.Errorf("volume after down -v: stat = %v, want it removed", err)
	}
	if !strings.Contains(errs, "Volume "+e.project+"_data  Removed") {
		t.Errorf("down -v progress = %q, want the volume's removal", errs)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another project's volume after down -v: %v, want it kept", err)
	}
	os.RemoveAll(filepath.Dir(other))
}
