package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// newStateE2E is newE2E with address pools of its own, so that these tests can run
// beside the other e2e files.
func newStateE2E(t *testing.T) *e2e {
	return newE2E(t).withPools("10.252.0.0/24", "10.252.1.0/24", "10.252.2.0/24", "10.252.3.0/24")
}

// containerID is the ID of the one container of service in the project of file.
func (e *e2e) containerID(file, service string) string {
	e.t.Helper()
	id := strings.TrimSpace(e.mustBerth("-f", file, "ps", "-a", "-q", service))
	if id == "" || strings.Contains(id, "\n") {
		e.t.Fatalf("ps -q %s = %q, want one ID", service, id)
	}
	return id
}

func (e *e2e) containerStatePath(id string) string {
	return filepath.Join(e.root, "containers", id, "state.json")
}

// truncate cuts path to half its size: valid JSON no more.
func truncateHalf(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
}

// containerProcs lists the processes in this test's cgroups (any hierarchy).
func (e *e2e) containerProcs() []string {
	var out []string
	files, _ := filepath.Glob("/proc/[0-9]*/cgroup")
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), ":/"+e.cgroup+"/") {
			out = append(out, filepath.Dir(f))
		}
	}
	return out
}

// killProcesses kills what assertNoProcesses would find: a cleanup's safety net when a
// test fails before its down.
func (e *e2e) killProcesses() {
	for _, p := range e.containerProcs() {
		if pid, err := strconv.Atoi(filepath.Base(p)); err == nil {
			unix.Kill(pid, unix.SIGKILL)
		}
	}
}

// assertNoProcesses fails when a process of this test's containers is left (the cgroup
// check of assertNoLeaks sees only cgroup v2).
func (e *e2e) assertNoProcesses() {
	e.t.Helper()
	var left []string
	if !eventually(5*time.Second, func() bool { left = e.containerProcs(); return len(left) == 0 }) {
		e.t.Errorf("container processes left: %v", left)
	}
}

// TestE2EUnreadableContainerState truncates containers' state.json files while they
// run: stop, rm -f and up --force-recreate must still work on them.
func TestE2EUnreadableContainerState(t *testing.T) {
	e := newStateE2E(t)
	t.Cleanup(e.killProcesses)
	file := writeCompose(t, `services:
  a:
    image: bte-busybox
    command: ["sleep", "3600"]
  b:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  c:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-f", file, "up", "-d")

	a := e.containerID(file, "a")
	truncateHalf(t, e.containerStatePath(a))
	e.mustBerth("-f", file, "stop", "-t", "1", "a")
	if ps := e.psList(file, "a"); len(ps) != 1 || ps[0]["State"] != "exited" {
		t.Errorf("after stop, ps a = %v; want exited", ps)
	}

	b := e.containerID(file, "b")
	truncateHalf(t, e.containerStatePath(b))
	e.mustBerth("-f", file, "rm", "-f", "-s", "b")
	if ps := e.psList(file, "b"); len(ps) != 0 {
		t.Errorf("after rm -f -s, ps b = %v; want none", ps)
	}
	if _, err := os.Stat(filepath.Dir(e.containerStatePath(b))); err == nil {
		t.Errorf("container dir of b left after rm -f")
	}

	c := e.containerID(file, "c")
	truncateHalf(t, e.containerStatePath(c))
	e.mustBerth("-f", file, "up", "-d", "--force-recreate", "c")
	if c2 := e.containerID(file, "c"); c2 == c {
		t.Errorf("up --force-recreate kept container %s", c)
	}
	if ps := e.psList(file, "c"); len(ps) != 1 || ps[0]["State"] != "running" {
		t.Errorf("after up --force-recreate, ps c = %v; want running", ps)
	}
	if _, err := os.Stat(filepath.Dir(e.containerStatePath(c))); err == nil {
		t.Errorf("container dir of the recreated c left")
	}

	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
	e.assertNoProcesses()
}

// TestE2EUnreadableProjectState truncates a running project's state.json and one of its
// containers': ls lists the other projects and warns naming the file; down removes every
// container, network, netns, rule and process of the project.
func TestE2EUnreadableProjectState(t *testing.T) {
	e := newStateE2E(t)
	other := *e // the same root, another project
	other.project = "bte" + randHex(8)
	t.Cleanup(func() { other.berth("down", "-t", "1"); e.killProcesses() })
	port := freePort(t)
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["httpd", "-f", "-p", "80", "-h", "/etc"]
    ports: ["127.0.0.1:`+port+`:80"]
    networks: [default, back]
  worker:
    image: bte-busybox
    command: ["sleep", "3600"]
    networks: [back]
    volumes: ["/data"] # an anonymous volume: only the container's mounts tell of it then
  once:
    image: bte-busybox
    command: ["true"]
networks:
  back: {}
`)
	e.mustBerth("-f", file, "up", "-d")
	otherFile := writeCompose(t, "services:\n  s:\n    image: bte-busybox\n    command: [\"sleep\", \"3600\"]\n")
	other.mustBerth("-f", otherFile, "up", "-d")
	if got := e.httpGet("http://127.0.0.1:" + port + "/passwd"); !strings.Contains(got, "root:") {
		t.Fatalf("web answers %q before the state is broken", got)
	}

	truncateHalf(t, e.containerStatePath(e.containerID(file, "worker")))
	projectState := filepath.Join(e.root, "projects", e.project, "state.json")
	truncateHalf(t, projectState)

	out, errs, err := e.berth("ls")
	if err != nil || !strings.Contains(out, other.project) || strings.Contains(out, e.project+" ") {
		t.Errorf("ls = %v, stdout %q; want the other project listed, the broken one left out", err, out)
	}
	if !strings.Contains(errs, "read state "+projectState+": unexpected end of JSON input") {
		t.Errorf("ls stderr = %q; want a warning naming %s", errs, projectState)
	}

	if out, errs, err := e.berth("down", "-t", "1"); err != nil {
		t.Fatalf("down with a truncated project state = %v\nstdout:\n%s\nstderr:\n%s", err, out, errs)
	}
	if ents, _ := os.ReadDir(filepath.Join(e.root, "volumes")); len(ents) != 0 {
		t.Errorf("volumes left after down: %v", ents)
	}
	if ents, _ := os.ReadDir(filepath.Join(e.root, "containers")); len(ents) != 1 {
		t.Errorf("containers left after down: %d, want the other project's one", len(ents))
	}
	if ps := other.psList(otherFile); len(ps) != 1 || ps[0]["State"] != "running" {
		t.Errorf("the other project after down: %v; want its container running", ps)
	}
	// The leak checks cover every object of the root: the other project goes first.
	other.mustBerth("down", "-t", "1")
	e.assertNoLeaks()
	e.assertNoProcesses()
}

// TestE2EFullDiskKeepsState puts the whole root on a small tmpfs, which a container
// (hog) fills and keeps full. Another container (filler) exits once the disk is full: its
// shim cannot record the exit, and state.json must keep its old content (never empty),
// so that ps and down still work; down, on the full disk, removes everything (the last
// container it removes is the hog).
func TestE2EFullDiskKeepsState(t *testing.T) {
	e := newStateE2E(t)
	if err := unix.Mount("tmpfs", e.root, "tmpfs", 0, "size=12m,mode=0700"); err != nil {
		t.Fatalf("mount tmpfs on %s: %v", e.root, err)
	}
	mounted := true
	unmount := func() {
		if mounted {
			if err := unix.Unmount(e.root, unix.MNT_DETACH); err != nil {
				t.Errorf("unmount %s: %v", e.root, err)
			}
			mounted = false
		}
	}
	t.Cleanup(func() { e.berth("down", "-t", "1"); e.killProcesses(); unmount() })
	e.importBusybox() // into the tmpfs
	file := writeCompose(t, `services:
  hog:
    image: bte-busybox
    command: ["sh", "-c", "until [ -e /tmp/go ]; do sleep 0.05; done; while :; do cat /dev/zero >> /fill; sleep 0.01; done"]
  filler:
    image: bte-busybox
    command: ["sh", "-c", "n=0; while echo x > /p$$n; do n=$$((n+1)); sleep 0.05; done; exit 3"] # a new page each time
    depends_on: [hog]
  bystander: # removed first by down, while the disk is full
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on: [filler]
    restart: unless-stopped # down records the stop first: a state write on a full disk
`)
	e.mustBerth("-f", file, "up", "-d")
	e.mustBerth("-f", file, "exec", "hog", "sh", "-c", ">/tmp/go")
	id := e.containerID(file, "filler")
	path := e.containerStatePath(id)
	var last string
	exited := eventually(10*time.Second, func() bool {
		ps := e.psList(file, "filler")
		if len(ps) == 1 {
			last, _ = ps[0]["State"].(string)
		}
		return last != "running" && last != "created"
	})
	if !exited || last != "exited" {
		t.Errorf("filler: ps says %q, want exited", last)
	}
	var st struct{ Status string }
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &st) != nil || st.Status == "" {
		t.Fatalf("state.json after the shim's failed write = %q (%v); want the old, complete content", b, err)
	}
	if tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp")); len(tmps) > 0 {
		t.Errorf("temp files left: %v", tmps)
	}
	var fs unix.Statfs_t
	if unix.Statfs(e.root, &fs); fs.Bavail > 0 {
		t.Errorf("the tmpfs has %d blocks free: the container did not fill it", fs.Bavail)
	}
	if out, errs, err := e.berth("down", "-t", "1"); err != nil {
		t.Fatalf("down on a full disk = %v\nstdout:\n%s\nstderr:\n%s", err, out, errs)
	}
	e.assertNoProcesses()
	unmount()
	e.assertNoLeaks()
}
