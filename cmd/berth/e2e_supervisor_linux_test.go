package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newSupervisorE2E is newE2E with an address pool of its own, so that these tests can
// run beside other e2e runs on the same host.
func newSupervisorE2E(t *testing.T) *e2e {
	return newE2E(t).withPools("10.239.0.0/24", "10.239.1.0/24")
}

// supervisorPids lists every supervisor process of this test's project (`_supervise
// NAME`), found through /proc as a user would with pgrep.
func (e *e2e) supervisorPids() []int {
	var pids []int
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("_supervise\x00"+e.project+"\x00")) {
			if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// killSupervisors kills every berth process of the project (its supervisor) with
// SIGKILL and waits until they are gone.
func (e *e2e) killSupervisors() {
	e.t.Helper()
	for _, pid := range e.supervisorPids() {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	if !eventually(5*time.Second, func() bool { return len(e.supervisorPids()) == 0 }) {
		e.t.Fatalf("supervisors %v survived SIGKILL", e.supervisorPids())
	}
}

// supervisorAnswers reports whether a supervisor answers a ping on the project's socket.
func (e *e2e) supervisorAnswers() bool {
	conn, err := net.DialTimeout("unix", filepath.Join(e.run, "projects", e.project, "supervisor.sock"), time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("ping\n")); err != nil {
		return false
	}
	b := make([]byte, 16)
	n, _ := conn.Read(b)
	return strings.HasPrefix(string(b[:n]), "ok\n")
}

// engineState reads a container's status and main pid from the engine's state file,
// without a berth command (which could bring a supervisor back).
func (e *e2e) engineState(id string) (string, int) {
	b, err := os.ReadFile(filepath.Join(e.root, "containers", id, "state.json"))
	if err != nil {
		return "", 0
	}
	var st struct {
		Status string
		Pid    int
	}
	json.Unmarshal(b, &st)
	return st.Status, st.Pid
}

// TestE2ESupervisorRestoredByPS kills the supervisor with SIGKILL; the next `ps` brings
// it back, so a restart: always container is restarted again, the DNS listener answers
// service names and healthchecks (which resolve a name) run again.
func TestE2ESupervisorRestoredByPS(t *testing.T) {
	e := newSupervisorE2E(t)
	file := writeCompose(t, `services:
  svc:
    image: bte-busybox
    command: ["sh", "-c", "echo run; exec sleep 3600"]
    restart: always
    stop_signal: SIGKILL
  client:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "nslookup", "svc"], interval: 200ms, retries: 100}
    depends_on:
      svc: {condition: service_started}
`)
	e.mustBerth("-f", file, "up", "-d", "--wait")
	id := strings.TrimSpace(e.mustBerth("-f", file, "ps", "-q", "svc"))
	if len(e.supervisorPids()) == 0 {
		t.Fatalf("no supervisor runs after up")
	}
	e.killSupervisors()
	start := time.Now()
	e.mustBerth("-f", file, "ps")
	t.Logf("ps that restored the supervisor took %v", time.Since(start))
	if !e.supervisorAnswers() {
		t.Errorf("no supervisor answers after ps; pids %v", e.supervisorPids())
	}

	_, pid := e.engineState(id)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 svc's main process: %v", err)
	}
	restarted := func() bool { st, p := e.engineState(id); return st == "running" && p != pid && p > 0 }
	if !eventually(10*time.Second, restarted) {
		st, p := e.engineState(id)
		t.Fatalf("svc (restart: always) = %s pid %d after kill -9 of pid %d, want running again; supervisor log:\n%s",
			st, p, pid, e.supervisorLog())
	}
	if out, errs, err := e.berth("-f", file, "exec", "-T", "client", "nslookup", "svc"); err != nil || !strings.Contains(out, "Address") {
		t.Errorf("nslookup svc from client = %q, %q, %v; want an answer", out, errs, err)
	}
	if !eventually(10*time.Second, func() bool {
		return strings.Contains(e.mustBerth("-f", file, "ps", "client"), "(healthy)")
	}) {
		t.Errorf("ps client = %q, want (healthy) after the supervisor came back", e.mustBerth("-f", file, "ps", "client"))
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

// TestE2ESupervisorRestoredByCommands: each command that reads or acts on a running
// project brings a killed supervisor back; down does not start one.
func TestE2ESupervisorRestoredByCommands(t *testing.T) {
	e := newSupervisorE2E(t)
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["httpd", "-f", "-p", "80", "-h", "/etc"]
    stop_signal: SIGKILL
    ports: ["80"]
`)
	e.mustBerth("-f", file, "up", "-d")
	for _, args := range [][]string{
		{"logs"}, {"exec", "-T", "web", "true"}, {"top"}, {"port", "web", "80"},
		{"images"}, {"cp", "web:/etc/passwd", filepath.Join(t.TempDir(), "passwd")},
		{"pause", "web"}, {"unpause", "web"},
	} {
		e.killSupervisors()
		e.mustBerth(append([]string{"-f", file}, args...)...)
		if !e.supervisorAnswers() {
			t.Errorf("berth %s did not bring the supervisor back", strings.Join(args, " "))
		}
	}
	e.killSupervisors()
	e.mustBerth("-f", file, "down", "-t", "1")
	if pids := e.supervisorPids(); len(pids) > 0 {
		t.Errorf("down started a supervisor: %v", pids)
	}
	e.assertNoLeaks()
}

// TestE2ESupervisorNotStartedForStoppedProject: a project whose containers are all
// stopped by the user needs no supervisor, and ps does not start one.
func TestE2ESupervisorNotStartedForStoppedProject(t *testing.T) {
	e := newSupervisorE2E(t)
	file := writeCompose(t, `services:
  a:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    restart: always
`)
	e.mustBerth("-f", file, "up", "-d")
	e.mustBerth("-f", file, "stop", "-t", "1")
	e.killSupervisors()
	e.mustBerth("-f", file, "ps", "-a")
	if pids := e.supervisorPids(); len(pids) > 0 {
		t.Errorf("ps of a stopped project started a supervisor: %v", pids)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

// TestE2ERestartWithoutSupervisor: a restart: always container that dies while no
// supervisor runs is restarted with no berth command typed: its shim's exit hook
// brings a supervisor back, which applies the policy, as Docker's daemon would.
func TestE2ERestartWithoutSupervisor(t *testing.T) {
	e := newSupervisorE2E(t)
	file := writeCompose(t, `services:
  svc:
    image: bte-busybox
    command: ["sh", "-c", "echo run; exec sleep 3600"]
    restart: always
    stop_signal: SIGKILL
  client:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-f", file, "up", "-d")
	id := strings.TrimSpace(e.mustBerth("-f", file, "ps", "-q", "svc"))
	e.killSupervisors()
	_, pid := e.engineState(id)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 svc's main process: %v", err)
	}
	restarted := func() bool { st, p := e.engineState(id); return st == "running" && p != pid && p > 0 }
	if !eventually(10*time.Second, restarted) {
		st, p := e.engineState(id)
		t.Fatalf("svc (restart: always) = %s pid %d after kill -9 of pid %d with no supervisor, want running again; supervisor log:\n%s",
			st, p, pid, e.supervisorLog())
	}
	if !e.supervisorAnswers() {
		t.Errorf("no supervisor answers after the restart")
	}
	if out, errs, err := e.berth("-f", file, "exec", "-T", "client", "nslookup", "svc"); err != nil || !strings.Contains(out, "Address") {
		t.Errorf("nslookup svc from client = %q, %q, %v; want an answer", out, errs, err)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}
