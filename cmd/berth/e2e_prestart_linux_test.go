package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/image"
)

// preStartCompose: web's pre_start hooks write to its named volume data and its
// anonymous volume /anon, which the runners borrow; the first runs web's own image,
// user and environment (inherited), the second an image of its own and a variable of
// its own. web prints what they wrote when it starts, so its output shows they ran
// before it.
const preStartCompose = `services:
  web:
    image: bte-busybox
    command: ["sh", "-c", "echo start $$(busybox cat /anon/f); busybox cat /data/log; exec sleep 3600"]
    stop_signal: SIGKILL
    user: "0"
    environment: {GEN: "${GEN:-1}", WHO: web}
    volumes: ["data:/data", "/anon"]
    pre_start:
      - command: ["sh", "-c", "echo first $$WHO $$GEN $$(busybox id -u) >> /data/log; echo gen$$GEN > /anon/f"]
      - image: bte-hookbox
        command: ["sh", "-c", "echo second $$WHO $$OWN >> /data/log"]
        environment: {OWN: mine}
volumes:
  data: {}
`

// pre_start runs in containers of their own, before the service's container starts,
// with its volumes, once per up that starts the service (not while it runs on, nor on
// restart), and leaves no container behind, as Compose v5.6.
func TestE2EPreStart(t *testing.T) {
	e := newE2E(t)
	e.tagImage("bte-busybox", "bte-hookbox")
	file := writeCompose(t, preStartCompose)
	e.mustBerth("-f", file, "up", "-d")
	e.waitLog(file, "second web mine")
	if logs := e.mustBerth("-f", file, "logs", "--no-log-prefix", "web"); !strings.Contains(logs, "start gen1\nfirst web 1 0\nsecond web mine\n") {
		t.Errorf("web's output = %q, want the hooks' writes to its volumes before it started", logs)
	}
	if n := e.containerDirs(); n != 1 {
		t.Errorf("%d containers after up, want 1 (the runners removed)", n)
	}
	e.mustBerth("-f", file, "up", "-d") // web runs on: no hook
	e.mustBerth("-f", file, "restart", "web")
	e.env = append(e.env, "GEN=2")
	e.mustBerth("-f", file, "up", "-d") // recreates web: the hooks run again
	e.mustBerth("-f", file, "stop", "web")
	e.mustBerth("-f", file, "up", "-d") // starts the stopped web: again
	want := "first web 1 0\nsecond web mine\nfirst web 2 0\nsecond web mine\nfirst web 2 0\nsecond web mine\n"
	if got := e.mustBerth("-f", file, "exec", "-T", "web", "busybox", "cat", "/data/log"); got != want {
		t.Errorf("hooks' log = %q, want %q", got, want)
	}
	if ps := e.mustBerth("-f", file, "ps", "-a", "--format", "{{.Name}}"); strings.TrimSpace(ps) != e.ctr("web") {
		t.Errorf("ps -a = %q, want only %s", ps, e.ctr("web"))
	}
}

// As Compose's: create prepares the runners and start runs them; a start after a stop
// finds none left and fails, asking for an up, which prepares and runs them again.
func TestE2EPreStartCreateStart(t *testing.T) {
	e := newE2E(t)
	e.tagImage("bte-busybox", "bte-hookbox")
	file := writeCompose(t, preStartCompose)
	e.mustBerth("-f", file, "up", "--no-start")
	if n := e.containerDirs(); n != 3 {
		t.Errorf("%d containers after create, want 3 (web and its two runners)", n)
	}
	e.mustBerth("-f", file, "start")
	e.waitLog(file, "second web mine")
	e.mustBerth("-f", file, "stop")
	_, stderr, err := e.berth("-f", file, "start")
	if want := `service "web" pre_start[0]: no hook runner container found`; err == nil || !strings.Contains(stderr, want) {
		t.Errorf("start after stop: err %v, stderr:\n%s\nwant %q", err, stderr, want)
	}
	e.waitState(file, e.ctr("web"), "exited", 137)
	e.mustBerth("-f", file, "up", "-d")
	want := "first web 1 0\nsecond web mine\nfirst web 1 0\nsecond web mine\n"
	if got := e.mustBerth("-f", file, "exec", "-T", "web", "busybox", "cat", "/data/log"); got != want {
		t.Errorf("hooks' log = %q, want %q", got, want)
	}
}

// A pre_start hook that fails fails up with Compose's message (its output read from
// its log, with logging driver none too); the service's container is not started and
// the runner is kept for inspection until the next up or down.
func TestE2EPreStartFailure(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  bad:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    logging: {driver: none}
    pre_start:
      - command: ["sh", "-c", "echo to-stdout; echo broken >&2; exit 3"]
`)
	want := regexp.MustCompile(`service "bad" pre_start\[0\] exited with code 3: broken \(hook container [0-9a-f]{12} retained for inspection\)`)
	for range 2 {
		_, stderr, err := e.berth("-f", file, "up", "-d")
		if err == nil || !want.MatchString(stderr) {
			t.Fatalf("up with a failing pre_start: err %v, stderr:\n%s\nwant %q", err, stderr, want)
		}
		if n := e.containerDirs(); n != 2 {
			t.Errorf("%d containers after the failure, want 2 (bad and its one runner)", n)
		}
	}
	if ps := e.psAll(file); len(ps) != 1 || ps[e.ctr("bad")]["State"] != "created" {
		t.Errorf("ps -a = %v, want only bad, created (never started; the runner not listed)", ps)
	}
	e.mustBerth("-f", file, "down")
	if n := e.containerDirs(); n != 0 {
		t.Errorf("%d containers after down, want 0", n)
	}
}

// An attached up prints the hooks' output as Compose does, under their own sources.
func TestE2EHookOutputAttached(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["sh", "-c", "sleep 1; echo main"]
    pre_start:
      - command: ["sh", "-c", "echo pre-out; echo pre-err >&2"]
    post_start:
      - command: ["echo", "post-out"]
`)
	out := e.mustBerth("-f", file, "up")
	for _, re := range []string{`(?m)^web pre_start\[0\] -> +\| pre-out$`, `(?m)^web pre_start\[0\] -> +\| pre-err$`,
		`(?m)^web-1 -> +\| post-out$`, `(?m)^web-1 +\| main$`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("up's output lacks %s:\n%s", re, out)
		}
	}
}

// The stop of an attached up's cascade runs the pre_stop hooks and prints their output,
// as Compose's.
func TestE2EHookOutputCascadeStop(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    pre_stop:
      - command: ["sh", "-c", "echo bye-out $$(busybox cat /proc/1/comm)"]
  job:
    image: bte-busybox
    command: ["sh", "-c", "sleep 1; echo done"]
`)
	out, _, _ := e.berth("-f", file, "up", "--abort-on-container-exit")
	if !regexp.MustCompile(`(?m)^web-1 -> +\| bye-out sleep$`).MatchString(out) {
		t.Errorf("up's output lacks web's pre_stop output:\n%s", out)
	}
}

// run fails, as Compose's, when its one-off container exits 0 before its post_start
// hook could run in it.
func TestE2EHookRunExitedFirst(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  job:
    image: bte-busybox
    command: ["true"]
    post_start:
      - command: ["sh", "-c", "sleep 1"]
`)
	// The exec mostly finds the container gone; when it wins the race, the container's
	// exit kills it (status 137): the run fails either way, as Compose's.
	_, stderr, err := e.berth("-f", file, "run", "--rm", "-T", "job")
	if err == nil || !(strings.Contains(stderr, "container is not running") || strings.Contains(stderr, "hook exited with status 137")) {
		t.Errorf("run of a one-off gone before its hook: err %v, stderr:\n%s\nwant an error saying it is not running", err, stderr)
	}
}

// tagImage gives image src the name target in the test's image store.
func (e *e2e) tagImage(src, target string) {
	e.t.Helper()
	store, err := image.Open(filepath.Join(e.root, "images"))
	if err != nil {
		e.t.Fatal(err)
	}
	if err := store.Tag(src, target); err != nil {
		e.t.Fatalf("Tag(%s, %s): %v", src, target, err)
	}
}

// containerDirs counts the containers the engine holds.
func (e *e2e) containerDirs() int {
	ents, _ := os.ReadDir(filepath.Join(e.root, "containers"))
	return countDirs(ents)
}

// per_replica hooks are refused at up, as Compose v5.6 refuses them, before any runner
// is made.
func TestE2EPreStartPerReplica(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    pre_start:
      - command: ["true"]
        per_replica: true
`)
	_, stderr, err := e.berth("-f", file, "up", "-d")
	if want := `service "web" pre_start[0]: per_replica is not yet supported`; err == nil || !strings.Contains(stderr, want) {
		t.Errorf("up with a per_replica hook: err %v, stderr:\n%s\nwant %q", err, stderr, want)
	}
	if n := e.containerDirs(); n != 1 {
		t.Errorf("%d containers, want 1 (web, no runner)", n)
	}
}
