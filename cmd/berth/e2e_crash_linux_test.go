package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newCrashE2E is newE2E with address pools of its own (several /24s, one per network),
// so that these tests can run beside the other e2e files.
func newCrashE2E(t *testing.T) *e2e {
	return newE2E(t).withPools("10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24", "10.244.3.0/24")
}

// crashStack is five services on two levels with a published port, a named volume and
// a second network: each kind of kernel object up makes.
func crashStack(t *testing.T, port string) string {
	return writeCompose(t, `services:
  db:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    volumes: ["data:/data"]
    networks: [default, back]
  cache:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  web:
    image: bte-busybox
    command: ["httpd", "-f", "-p", "80", "-h", "/etc"]
    stop_signal: SIGKILL
    ports: ["`+port+`:80"]
    depends_on: [db, cache]
  worker:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    networks: [back]
    depends_on: [db]
  client:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on: [web]
volumes:
  data: {}
networks:
  back: {}
`)
}

// TestE2ECrashKillUp kills `berth up` with SIGKILL at several moments of a five-service
// up; `down` must then remove everything that was made.
func TestE2ECrashKillUp(t *testing.T) {
	for _, after := range []time.Duration{50 * time.Millisecond, 150 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond} {
		t.Run(after.String(), func(t *testing.T) {
			e := newCrashE2E(t)
			file := crashStack(t, freePort(t))
			cmd := exec.Command(e.bin, "-p", e.project, "-f", file, "up", "-d")
			cmd.Env = e.env
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(after)
			cmd.Process.Signal(syscall.SIGKILL)
			werr := cmd.Wait()
			t.Logf("up killed after %v: %v; its output:\n%s", after, werr, errb.String())
			e.mustBerth("-f", file, "down", "-v", "-t", "1")
			e.assertNoLeaks()
			if ents, _ := os.ReadDir(filepath.Join(e.root, "containers")); len(ents) != 0 {
				t.Errorf("down after a killed up left %d engine containers", len(ents))
			}
		})
	}
}

// crashContainerPid reads the host pid of a container's main process from the engine.
func (e *e2e) crashContainerPid(id string) int {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.root, "containers", id, "state.json"))
	if err != nil {
		e.t.Fatalf("engine state of %s: %v", id, err)
	}
	var st struct{ Pid int }
	if err := json.Unmarshal(b, &st); err != nil || st.Pid <= 0 {
		e.t.Fatalf("engine state of %s: pid %d, %v", id, st.Pid, err)
	}
	return st.Pid
}

// TestE2ECrashKillContainer kills a container's main process with SIGKILL: ps reports
// it exited with 137, the others keep running, and down cleans up.
func TestE2ECrashKillContainer(t *testing.T) {
	e := newCrashE2E(t)
	file := writeCompose(t, `services:
  a:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  b:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-f", file, "up", "-d")
	id := strings.TrimSpace(e.mustBerth("-f", file, "ps", "-q", "a"))
	if err := syscall.Kill(e.crashContainerPid(id), syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 the container's process: %v", err)
	}
	e.waitState(file, e.ctr("a"), "exited", 137)
	if out := e.mustBerth("-f", file, "ps", "-a", "a"); !strings.Contains(out, "Exited (137)") {
		t.Errorf("ps -a a = %q, want Exited (137)", out)
	}
	if out := e.mustBerth("-f", file, "ps", "--status", "exited", "--services"); out != "a\n" {
		t.Errorf("ps --status exited --services = %q, want a", out)
	}
	if out := e.mustBerth("-f", file, "ps", "--services"); out != "b\n" {
		t.Errorf("ps --services = %q, want only the running b", out)
	}
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}

// TestE2ECrashKillSupervisor kills the supervisor with SIGKILL; down still removes
// everything, the DNS listeners included.
func TestE2ECrashKillSupervisor(t *testing.T) {
	e := newCrashE2E(t)
	file := crashStack(t, freePort(t))
	e.mustBerth("-f", file, "up", "-d")
	b, err := os.ReadFile(filepath.Join(e.run, "projects", e.project, "supervisor.pid"))
	if err != nil {
		t.Fatalf("supervisor pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("supervisor pid %q: %v", b, err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 supervisor: %v", err)
	}
	for deadline := time.Now().Add(5 * time.Second); syscall.Kill(pid, 0) == nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // reaped by init once its parent, up, is gone
	}
	e.mustBerth("-f", file, "down", "-v")
	e.assertNoLeaks()
}

// TestE2ECrashPortHeldByProject: a host port another berth project publishes is found
// before anything is created, and the error names the port and the container holding it.
func TestE2ECrashPortHeldByProject(t *testing.T) {
	e := newCrashE2E(t)
	port := freePort(t)
	file := writeCompose(t, fmt.Sprintf(`services:
  web:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    ports: ["%s:80"]
`, port))
	other := "bte" + randHex(8)
	holder := exec.Command(e.bin, "-p", other, "-f", file, "up", "-d")
	holder.Env = e.env
	if out, err := holder.CombinedOutput(); err != nil {
		t.Fatalf("up of the holding project: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		down := exec.Command(e.bin, "-p", other, "down", "-t", "1")
		down.Env = e.env
		down.Run()
	})
	second := writeCompose(t, fmt.Sprintf(`services:
  api:
    image: bte-busybox
    command: ["sleep", "3600"]
    ports: ["%s:8080"]
`, port))
	_, errs, err := e.berth("-f", second, "up", "-d")
	want := fmt.Sprintf("host port tcp/%s is already published by container %s-web-1 of project %s", port, other, other)
	if err == nil || !strings.Contains(errs, want) {
		t.Errorf("up with a port another project publishes = %v, stderr %q; want %q", err, errs, want)
	}
	if _, err := os.Stat(filepath.Join(e.root, "projects", e.project)); err == nil {
		t.Errorf("the refused up left its project dir")
	}
	ents, _ := os.ReadDir(filepath.Join(e.root, "containers"))
	if len(ents) != 1 {
		t.Errorf("engine containers after the refused up = %d, want only the holder's", len(ents))
	}
	down := exec.Command(e.bin, "-p", other, "down", "-t", "1")
	down.Env = e.env
	if out, err := down.CombinedOutput(); err != nil {
		t.Errorf("down of the holding project: %v\n%s", err, out)
	}
	e.assertNoLeaks()
}
