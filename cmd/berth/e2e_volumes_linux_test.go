package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/image"
)

// newVolumesE2E is newE2E with an address pool of its own, so that these tests can run
// beside other e2e runs on the same host (each network takes the whole pool).
func newVolumesE2E(t *testing.T) *e2e {
	return newE2E(t).withPools("10.247.0.0/16")
}

// importSeeded stores bte-seeded: busybox with /seed/hello (owner 1234:5678, mode
// 0640, in a directory of mode 0750) and `VOLUME /seed`.
func (e *e2e) importSeeded() {
	e.t.Helper()
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		e.t.Skipf("skipping: busybox-static not installed: %v", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range []string{"bin/", "etc/", "tmp/"} {
		tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o1777})
	}
	tw.WriteHeader(&tar.Header{Name: "seed/", Typeflag: tar.TypeDir, Mode: 0o750, Uid: 1234, Gid: 5678})
	hello := "hello from the image\n"
	tw.WriteHeader(&tar.Header{Name: "seed/hello", Mode: 0o640, Uid: 1234, Gid: 5678, Size: int64(len(hello))})
	tw.Write([]byte(hello))
	tw.WriteHeader(&tar.Header{Name: "bin/busybox", Mode: 0o755, Size: int64(len(bb))})
	tw.Write(bb)
	for _, a := range []string{"sh", "cat", "echo", "sleep", "stat", "true"} {
		tw.WriteHeader(&tar.Header{Name: "bin/" + a, Typeflag: tar.TypeSymlink, Linkname: "busybox"})
	}
	tw.Close()
	store, err := image.Open(filepath.Join(e.root, "images"))
	if err != nil {
		e.t.Fatal(err)
	}
	changes := []string{`ENV PATH=/bin`, `CMD ["sh"]`, `VOLUME /seed`}
	if _, err := store.Import(context.Background(), &buf, "bte-seeded:latest", changes); err != nil {
		e.t.Fatalf("Import seeded image: %v", err)
	}
}

// anonVolumes returns the anonymous volumes (path -> ID) the project's state records
// for its containers of service.
func (e *e2e) anonVolumes(service string) map[string]string {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.root, "projects", e.project, "state.json"))
	if err != nil {
		e.t.Fatalf("read state: %v", err)
	}
	var st struct {
		Containers []struct {
			Service          string            `json:"service"`
			AnonymousVolumes map[string]string `json:"anonymousVolumes"`
		} `json:"containers"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		e.t.Fatalf("read state: %v", err)
	}
	out := map[string]string{}
	for _, c := range st.Containers {
		if c.Service == service {
			for p, id := range c.AnonymousVolumes {
				out[p] = id
			}
		}
	}
	return out
}

// volumeDirs lists the volumes on disk, sorted.
func (e *e2e) volumeDirs() []string {
	ents, _ := os.ReadDir(filepath.Join(e.root, "volumes"))
	var out []string
	for _, d := range ents {
		out = append(out, d.Name())
	}
	sort.Strings(out)
	return out
}

func TestE2EAnonymousVolumes(t *testing.T) {
	e := newVolumesE2E(t)
	e.importSeeded()
	file := writeCompose(t, `services:
  app:
    image: bte-seeded
    command: ["sleep", "600"]
    volumes:
      - /data
`)
	sh := func(script string) string {
		t.Helper()
		return e.mustBerth("-f", file, "exec", "-T", "app", "sh", "-c", script)
	}
	e.mustBerth("-f", file, "up", "-d")
	first := e.anonVolumes("app")
	if len(first) != 2 || len(first["/data"]) != 64 || len(first["/seed"]) != 64 {
		t.Fatalf("anonymous volumes = %v, want 64-hex IDs for /data and /seed", first)
	}
	if got := e.volumeDirs(); len(got) != 2 {
		t.Errorf("volume dirs = %q, want the 2 anonymous volumes", got)
	}
	// The image's VOLUME is populated with the image's content, owners and modes kept.
	if got := sh("cat /seed/hello; stat -c '%u:%g %a' /seed/hello /seed"); got != "hello from the image\n1234:5678 640\n1234:5678 750\n" {
		t.Errorf("image volume /seed = %q, want the image's file, owner and modes", got)
	}
	hostFile := filepath.Join(e.root, "volumes", first["/seed"], "_data", "hello")
	if b, err := os.ReadFile(hostFile); err != nil || string(b) != "hello from the image\n" {
		t.Errorf("volume on the host: %q, %v; want the image's file", b, err)
	}
	sh("echo kept > /data/f; echo changed > /seed/hello")

	// Recreated: the new container gets the same volumes, with the data written.
	e.mustBerth("-f", file, "up", "-d", "--force-recreate")
	if got := e.anonVolumes("app"); got["/data"] != first["/data"] || got["/seed"] != first["/seed"] {
		t.Errorf("after --force-recreate: volumes %v, want the previous ones %v", got, first)
	}
	if got := sh("cat /data/f /seed/hello"); got != "kept\nchanged\n" {
		t.Errorf("after --force-recreate: data = %q, want what was written before", got)
	}

	// -V: fresh volumes, the image's content again, the old ones gone from disk.
	e.mustBerth("-f", file, "up", "-d", "--force-recreate", "-V")
	renewed := e.anonVolumes("app")
	if renewed["/data"] == first["/data"] || renewed["/seed"] == first["/seed"] || len(renewed) != 2 {
		t.Errorf("after -V: volumes %v, want 2 new ones (previous %v)", renewed, first)
	}
	if got := sh("cat /data/f 2>/dev/null || echo missing; cat /seed/hello"); got != "missing\nhello from the image\n" {
		t.Errorf("after -V: data = %q, want an empty /data and the image's /seed", got)
	}
	if got := e.volumeDirs(); len(got) != 2 {
		t.Errorf("after -V: volume dirs = %q, want only the 2 new volumes", got)
	}

	// run --rm removes the one-off's own anonymous volumes.
	if out := e.mustBerth("-f", file, "run", "--rm", "-T", "app", "cat", "/seed/hello"); out != "hello from the image\n" {
		t.Errorf("run --rm: output %q, want the image's file in its own volume", out)
	}
	if got := e.volumeDirs(); len(got) != 2 {
		t.Errorf("after run --rm: volume dirs = %q, want only the service's 2", got)
	}

	// rm -v removes the volumes of the removed container.
	e.mustBerth("-f", file, "rm", "-s", "-f", "-v")
	if got := e.volumeDirs(); len(got) != 0 {
		t.Errorf("after rm -v: volume dirs = %q, want none", got)
	}

	// down -v removes them too.
	e.mustBerth("-f", file, "up", "-d")
	if got := e.volumeDirs(); len(got) != 2 {
		t.Errorf("after up: volume dirs = %q, want 2", got)
	}
	e.mustBerth("-f", file, "down", "-v", "-t", "1")
	if got := e.volumeDirs(); len(got) != 0 {
		t.Errorf("after down -v: volume dirs = %q, want none", got)
	}
	e.assertNoLeaks()
}

// TestE2ENamedVolumePopulated checks that an empty named volume is populated from the
// image as Docker does, and that nocopy leaves it empty.
func TestE2ENamedVolumePopulated(t *testing.T) {
	e := newVolumesE2E(t)
	e.importSeeded()
	file := writeCompose(t, `services:
  app:
    image: bte-seeded
    command: ["sleep", "600"]
    volumes:
      - seeded:/seed
      - type: volume
        source: bare
        target: /bare
        volume:
          nocopy: true
volumes:
  seeded:
  bare:
`)
	e.mustBerth("-f", file, "up", "-d")
	got := e.mustBerth("-f", file, "exec", "-T", "app", "sh", "-c", "cat /seed/hello; cat /bare/* 2>/dev/null || echo empty")
	if got != "hello from the image\nempty\n" {
		t.Errorf("named volumes = %q, want the image's file in seeded and an empty bare", got)
	}
	if strings.Join(e.volumeDirs(), ",") != e.project+"_bare,"+e.project+"_seeded" {
		t.Errorf("volume dirs = %q, want the 2 named volumes and no anonymous one", e.volumeDirs())
	}
	e.mustBerth("-f", file, "down", "-v", "-t", "1")
	if got := e.volumeDirs(); len(got) != 0 {
		t.Errorf("after down -v: volume dirs = %q, want none", got)
	}
	e.assertNoLeaks()
}
