package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// hooksCompose: web's hooks append to /out/log (a bind of the test's dir): post_start as
// user 1000 in /tmp with HOOKVAR, pre_stop twice (plain, then privileged) with the
// effective capabilities; each notes PID 1's name (the container's sleep, still there). oneshot exits by itself.
const hooksCompose = `services:
  web:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    environment: {GEN: "${GEN:-1}"}
    volumes: ["${OUT}:/out"]
    post_start:
      - command: ["sh", "-c", "echo post_start $$(busybox id -u) $$(pwd) $$HOOKVAR $$(busybox cat /proc/1/comm) >> /out/log"]
        user: "1000"
        working_dir: /tmp
        environment: {HOOKVAR: hv}
    pre_stop:
      - command: ["sh", "-c", "echo pre_stop $$(busybox cat /proc/1/comm) $$(grep CapEff /proc/self/status | busybox cut -f2) >> /out/log"]
      - command: ["sh", "-c", "echo pre_stop_privileged $$(grep CapEff /proc/self/status | busybox cut -f2) >> /out/log"]
        privileged: true
  oneshot:
    image: bte-busybox
    command: ["true"]
    volumes: ["${OUT}:/out"]
    pre_stop:
      - command: ["sh", "-c", "echo oneshot_pre_stop >> /out/log"]
`

// post_start runs once the container started (up, restart), pre_stop before the stop
// signal (restart, recreate, down), each as an exec with the hook's user, working_dir,
// environment and privileges, as Compose 2.30+ runs them; a container that exited by
// itself gets no pre_stop.
func TestE2EHooks(t *testing.T) {
	e := newE2E(t)
	out := t.TempDir()
	os.Chmod(out, 0o777)
	e.env = append(e.env, "OUT="+out)
	file := writeCompose(t, hooksCompose)
	e.mustBerth("-f", file, "up", "-d")
	e.waitState(file, e.ctr("oneshot"), "exited", 0)
	e.mustBerth("-f", file, "restart", "web")
	e.env = append(e.env, "GEN=2")
	e.mustBerth("-f", file, "up", "-d", "web") // recreates web
	e.mustBerth("-f", file, "down", "-t", "1")

	lines := hookLog(t, out)
	var kinds []string
	for _, l := range lines {
		kinds = append(kinds, strings.Fields(l)[0])
	}
	want := "post_start pre_stop pre_stop_privileged post_start pre_stop pre_stop_privileged post_start pre_stop pre_stop_privileged"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("hooks run = %q, want %q\nlog:\n%s", got, want, strings.Join(lines, "\n"))
	}
	if lines[0] != "post_start 1000 /tmp hv sleep" {
		t.Errorf("post_start wrote %q, want user 1000, working dir /tmp, HOOKVAR and PID 1 sleep", lines[0])
	}
	plain, priv := strings.Fields(lines[1]), strings.Fields(lines[2])
	if len(plain) != 3 || plain[1] != "sleep" {
		t.Fatalf("pre_stop wrote %q, want PID 1 (sleep) still there before the stop signal", lines[1])
	}
	if len(priv) != 2 || !moreCaps(priv[1], plain[2]) {
		t.Errorf("privileged pre_stop wrote %q, want more capabilities than the container's %s", lines[2], plain[2])
	}
}

// A post_start hook that fails fails up with Compose's message (the end of its stderr);
// the container keeps running.
func TestE2EHookFailure(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  bad:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    post_start:
      - command: ["sh", "-c", "echo to-stdout; echo broken >&2; exit 3"]
`)
	_, stderr, err := e.berth("-f", file, "up", "-d")
	if err == nil || !strings.Contains(stderr, "bad hook exited with status 3: broken") {
		t.Errorf("up with a failing post_start: err %v, stderr:\n%s\nwant an error with %q", err, stderr, "bad hook exited with status 3: broken")
	}
	e.waitState(file, e.ctr("bad"), "running", 0)
}

// run's one-off container gets the service's post_start hooks too, run while it is
// attached (as Compose's run).
func TestE2EHookRun(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  job:
    image: bte-busybox
    command: ["sh", "-c", "for i in $$(busybox seq 100); do [ -f /tmp/hooked ] && exec cat /tmp/hooked; sleep 0.05; done; echo no hook"]
    post_start:
      - command: ["sh", "-c", "echo hooked > /tmp/hooked"]
`)
	if out := e.mustBerth("-f", file, "run", "--rm", "-T", "job"); out != "hooked\n" {
		t.Errorf("run's output = %q, want the post_start hook's file", out)
	}
}

// pid: service:X starts X first (the implicit depends_on Compose adds) and shares
// X's PID namespace.
func TestE2EPidServiceStartOrder(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  a:
    image: bte-busybox
    pid: service:z
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  z:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	_, stderr, err := e.berth("-f", file, "up", "-d")
	if err != nil {
		t.Fatalf("up: %v\n%s", err, stderr)
	}
	if strings.Index(stderr, e.ctr("z")+"  Started") > strings.Index(stderr, e.ctr("a")+"  Started") {
		t.Errorf("up started a before z:\n%s", stderr)
	}
	ns := func(service string) string {
		return e.mustBerth("-f", file, "exec", "-T", service, "busybox", "readlink", "/proc/self/ns/pid")
	}
	if a, z := ns("a"), ns("z"); a != z {
		t.Errorf("a's pid namespace = %s, want z's %s", a, z)
	}
}

// moreCaps reports whether capability mask a (hex) holds every bit of b and more.
func moreCaps(a, b string) bool {
	x, err1 := strconv.ParseUint(a, 16, 64)
	y, err2 := strconv.ParseUint(b, 16, 64)
	return err1 == nil && err2 == nil && x&y == y && x != y
}

func hookLog(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatalf("hooks wrote nothing: %v", err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}
