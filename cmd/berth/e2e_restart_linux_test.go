package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newRestartE2E is newE2E with an address pool of its own, so that these tests can run
// beside other e2e runs on the same host (each network takes the whole pool).
func newRestartE2E(t *testing.T) *e2e {
	return newE2E(t).withPools("10.243.0.0/16")
}

// restartLogLines returns the log lines of service (prefix removed) that start with word.
func (e *e2e) restartLogLines(file, service, word string) []string {
	e.t.Helper()
	var out []string
	for _, l := range strings.Split(e.mustBerth("-f", file, "logs", service), "\n") {
		if _, text, ok := strings.Cut(l, "| "); ok && strings.HasPrefix(text, word) {
			out = append(out, text)
		}
	}
	return out
}

// restartPS returns `ps -a` of one service's first container: ID, State, ExitCode.
func (e *e2e) restartPS(file, service string) map[string]any {
	e.t.Helper()
	for _, m := range e.psList(file, service) {
		if m["Name"] == e.project+"-"+service+"-1" {
			return m
		}
	}
	e.t.Fatalf("ps -a has no container of service %s", service)
	return nil
}

// restartCount reads the supervisor's restart count of a container from restarts.json.
func (e *e2e) restartCount(id string) int {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.root, "projects", e.project, "restarts.json"))
	if err != nil {
		e.t.Fatalf("restart counts: %v", err)
	}
	var recs map[string]struct{ Count int }
	if err := json.Unmarshal(b, &recs); err != nil {
		e.t.Fatalf("restart counts: %v", err)
	}
	return recs[id].Count
}

// assertStaysExited checks, for longer than the next back-off, that the service's
// container stays exited with code after runs runs.
func (e *e2e) assertStaysExited(file, service string, runs, code int) {
	e.t.Helper()
	time.Sleep(1500 * time.Millisecond)
	if n := len(e.restartLogLines(file, service, "run")); n != runs {
		e.t.Errorf("service %s ran %d times, want %d", service, n, runs)
	}
	if c := e.restartPS(file, service); c["State"] != "exited" || c["ExitCode"] != float64(code) {
		e.t.Errorf("service %s = %v, want exited with %d", service, c, code)
	}
}

func TestE2ERestartOnFailure(t *testing.T) {
	e := newRestartE2E(t)
	file := writeCompose(t, `services:
  flaky:
    image: bte-busybox
    command: ["sh", "-c", "echo run; exit 1"]
    restart: on-failure:2
`)
	e.mustBerth("-f", file, "up", "-d")
	if !eventually(10*time.Second, func() bool { return len(e.restartLogLines(file, "flaky", "run")) >= 3 }) {
		t.Fatalf("flaky ran %d times, want 3 (1 start + 2 restarts); supervisor log:\n%s",
			len(e.restartLogLines(file, "flaky", "run")), e.supervisorLog())
	}
	e.assertStaysExited(file, "flaky", 3, 1)
	id := e.restartPS(file, "flaky")["ID"].(string)
	if n := e.restartCount(id); n != 2 {
		t.Errorf("restart count = %d, want 2", n)
	}
	// A start by the user resets the count: two more restarts.
	e.mustBerth("-f", file, "start", "flaky")
	if !eventually(10*time.Second, func() bool { return len(e.restartLogLines(file, "flaky", "run")) >= 6 }) {
		t.Fatalf("after start, flaky ran %d times in all, want 6", len(e.restartLogLines(file, "flaky", "run")))
	}
	e.assertStaysExited(file, "flaky", 6, 1)
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

func TestE2ERestartNo(t *testing.T) {
	e := newRestartE2E(t)
	file := writeCompose(t, `services:
  once:
    image: bte-busybox
    command: ["sh", "-c", "echo run; exit 1"]
    restart: "no"
`)
	e.mustBerth("-f", file, "up", "-d")
	e.assertStaysExited(file, "once", 1, 1)
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

func TestE2ERestartAlways(t *testing.T) {
	e := newRestartE2E(t)
	file := writeCompose(t, `services:
  blip:
    image: bte-busybox
    command: ["sh", "-c", "echo run; busybox ip -4 addr show eth0 | busybox grep -o 'inet [0-9./]*'; sleep 0.3"]
    restart: always
  steady:
    image: bte-busybox
    command: ["sh", "-c", "echo run; exec sleep 3600"]
    restart: always
  client:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-f", file, "up", "-d")
	if !eventually(10*time.Second, func() bool { return len(e.restartLogLines(file, "blip", "inet")) >= 3 }) {
		t.Fatalf("blip (exit 0, restart always) ran %d times, want 3 or more; logs:\n%s\nsupervisor log:\n%s",
			len(e.restartLogLines(file, "blip", "inet")), e.mustBerth("-f", file, "logs"), e.supervisorLog())
	}
	addrs := e.restartLogLines(file, "blip", "inet")
	for _, a := range addrs {
		if a != addrs[0] {
			t.Errorf("blip's address changed across restarts: %q", addrs)
			break
		}
	}
	ip, _, _ := strings.Cut(strings.TrimPrefix(addrs[0], "inet "), "/")
	if out := e.mustBerth("-f", file, "exec", "-T", "client", "nslookup", "blip"); !strings.Contains(out, ip) {
		t.Errorf("nslookup blip after restarts = %q, want %s", out, ip)
	}

	// A user's stop or kill is never undone by the policy; start brings it back.
	e.mustBerth("-f", file, "stop", "-t", "1", "blip")
	runs := len(e.restartLogLines(file, "blip", "run"))
	e.assertStaysExited(file, "blip", runs, e.restartExitCode(file, "blip"))
	e.mustBerth("-f", file, "start", "blip")
	if !eventually(10*time.Second, func() bool { return len(e.restartLogLines(file, "blip", "run")) >= runs+2 }) {
		t.Errorf("blip did not run and restart again after start")
	}
	e.mustBerth("-f", file, "kill", "steady")
	e.assertStaysExited(file, "steady", 1, 137)
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

// supervisorLog returns what the project's supervisor logged, for failure messages.
func (e *e2e) supervisorLog() string {
	b, _ := os.ReadFile(filepath.Join(e.run, "projects", e.project, "supervisor.log"))
	return string(b)
}

func (e *e2e) restartExitCode(file, service string) int {
	e.t.Helper()
	code, _ := e.restartPS(file, service)["ExitCode"].(float64)
	return int(code)
}

func TestE2ERestartSupervisorKilled(t *testing.T) {
	e := newRestartE2E(t)
	file := writeCompose(t, `services:
  tick:
    image: bte-busybox
    command: ["sh", "-c", "echo run; sleep 0.2; exit 3"]
    restart: always
`)
	e.mustBerth("-f", file, "up", "-d")
	runs := func() int { return len(e.restartLogLines(file, "tick", "run")) }
	if !eventually(10*time.Second, func() bool { return runs() >= 2 }) {
		t.Fatalf("tick ran %d times, want restarts", runs())
	}
	id := e.restartPS(file, "tick")["ID"].(string) // before the kill: ps would bring a supervisor back
	pidFile := filepath.Join(e.run, "projects", e.project, "supervisor.pid")
	old, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("supervisor pid: %v", err)
	}
	if err := exec.Command("kill", "-9", strings.TrimSpace(string(old))).Run(); err != nil {
		t.Fatalf("kill -9 supervisor: %v", err)
	}
	// The run under way ends with no supervisor: its shim's exit hook brings one back,
	// which adopts the container, and the restarts go on with no berth command typed
	// (the runs are counted in the container's log file: any berth command, logs too,
	// would bring a supervisor back).
	logRuns := func() int {
		b, _ := os.ReadFile(filepath.Join(e.root, "containers", id, "container.log"))
		return strings.Count(string(b), `"log":"run\n"`)
	}
	n := logRuns()
	if !eventually(10*time.Second, func() bool { return logRuns() >= n+3 }) {
		t.Errorf("after the kill, tick ran %d times, want restarts to continue past %d; supervisor log:\n%s", logRuns(), n+2, e.supervisorLog())
	}
	if now, err := os.ReadFile(pidFile); err != nil || string(now) == string(old) {
		t.Errorf("supervisor pid after the restarts = %q, %v; want a new one (old %s)", now, err, old)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

func TestE2ERestartDownInBackoff(t *testing.T) {
	e := newRestartE2E(t)
	file := writeCompose(t, `services:
  crash:
    image: bte-busybox
    command: ["sh", "-c", "echo run; exit 1"]
    restart: always
`)
	e.mustBerth("-f", file, "up", "-d")
	// After 100+200+400+800ms of back-off the next wait is 1.6s: down comes during it.
	inBackoff := func() bool {
		state := e.restartPS(file, "crash")["State"] // ps shows a container in back-off as restarting
		return len(e.restartLogLines(file, "crash", "run")) >= 5 && (state == "restarting" || state == "exited")
	}
	if !eventually(10*time.Second, inBackoff) {
		t.Fatalf("crash ran %d times, want 5 and then a back-off", len(e.restartLogLines(file, "crash", "run")))
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
	time.Sleep(2 * time.Second) // past the back-off: nothing may start again
	e.assertNoLeaks()
	if ents, _ := os.ReadDir(filepath.Join(e.root, "containers")); len(ents) != 0 {
		t.Errorf("down left %d engine containers", len(ents))
	}
}
