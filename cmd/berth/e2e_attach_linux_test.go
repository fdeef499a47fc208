package main

import (
	"bytes"
	"errors"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer that a running command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newAttachE2E is newE2E with address pools of its own: /24s of 10.241.0.0/16 from a
// random start, so these tests can run while other berth e2e tests hold 10.240.0.0/16.
func newAttachE2E(t *testing.T) *e2e {
	return newE2E(t).withPools(randomPools(241))
}

// bgBerth is a berth command running in the background (attached up, logs -f).
type bgBerth struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  syncBuffer
	errb syncBuffer
	done chan struct{}
	err  error
}

func (e *e2e) start(args ...string) *bgBerth {
	e.t.Helper()
	b := &bgBerth{t: e.t, done: make(chan struct{})}
	b.cmd = e.command(args...)
	b.cmd.Stdout, b.cmd.Stderr = &b.out, &b.errb
	if err := b.cmd.Start(); err != nil {
		e.t.Fatalf("start berth %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		b.err = b.cmd.Wait()
		close(b.done)
	}()
	e.t.Cleanup(func() { // before newE2E's down: registered later, runs first
		select {
		case <-b.done:
		default:
			b.cmd.Process.Kill()
			<-b.done
		}
	})
	return b
}

// waitFor waits until stdout (or stderr) contains want.
func (b *bgBerth) waitFor(want string, stderr bool) {
	b.t.Helper()
	buf := &b.out
	if stderr {
		buf = &b.errb
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(buf.String(), want) {
			return
		}
	}
	b.t.Fatalf("berth %v: no %q\nstdout:\n%s\nstderr:\n%s", b.cmd.Args[1:], want, b.out.String(), b.errb.String())
}

// exitCode waits for the command to end and returns its exit code.
func (b *bgBerth) exitCode(timeout time.Duration) int {
	b.t.Helper()
	select {
	case <-b.done:
	case <-time.After(timeout):
		b.t.Fatalf("berth %v still running after %s\nstdout:\n%s\nstderr:\n%s", b.cmd.Args[1:], timeout, b.out.String(), b.errb.String())
	}
	var ee *exec.ExitError
	if errors.As(b.err, &ee) {
		return ee.ExitCode()
	}
	if b.err != nil {
		b.t.Fatalf("berth %v: %v", b.cmd.Args[1:], b.err)
	}
	return 0
}

// berthCode runs berth to its end and returns stdout, stderr and the exit code.
func (e *e2e) berthCode(args ...string) (string, string, int) {
	e.t.Helper()
	b := e.start(args...)
	code := b.exitCode(60 * time.Second)
	return b.out.String(), b.errb.String(), code
}

func TestE2EAttachedUpStreamsAndReturns(t *testing.T) {
	e := newAttachE2E(t)
	file := writeCompose(t, `services:
  one:
    image: bte-busybox
    command: ["sh", "-c", "echo hello from one; sleep 0.5; echo bye from one"]
  second:
    image: bte-busybox
    command: ["sh", "-c", "echo hello from second; sleep 1; echo bye from second; exit 4"]
`)
	out, errs, code := e.berthCode("-f", file, "up")
	if code != 0 {
		t.Fatalf("up = exit %d, want 0 once every container exited\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{"one-1     | hello from one\n", "one-1     | bye from one\n",
		"second-1  | hello from second\n", "second-1  | bye from second\n",
		"one-1 exited with code 0\n", "second-1 exited with code 4\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("up stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("up stdout (not a terminal) has color codes: %q", out)
	}
	if !strings.Contains(errs, "Attaching to one-1, second-1") {
		t.Errorf("up stderr lacks the Attaching line:\n%s", errs)
	}
	// --attach picks the services; the others run without their output.
	out, errs, code = e.berthCode("-f", file, "up", "--attach", "second", "--no-log-prefix", "--timestamps")
	if code != 0 || strings.Contains(out, "from one") ||
		!regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT[0-9:.]+Z hello from second$`).MatchString(out) {
		t.Errorf("up --attach second --no-log-prefix --timestamps = exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	out, _, code = e.berthCode("-f", file, "up", "--no-attach", "second")
	if code != 0 || strings.Contains(out, "from second") || !strings.Contains(out, "one-1  | bye from one") {
		t.Errorf("up --no-attach second = exit %d, stdout:\n%s", code, out)
	}
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}

func TestE2EAttachedUpAbort(t *testing.T) {
	e := newAttachE2E(t)
	file := writeCompose(t, `services:
  quick:
    image: bte-busybox
    command: ["sh", "-c", "echo quick; sleep 0.3; exit 3"]
  slow:
    image: bte-busybox
    command: ["sh", "-c", "echo slow; exec sleep 60"]
    stop_signal: SIGKILL
`)
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"--abort-on-container-exit"}, 3},
		{[]string{"--abort-on-container-failure"}, 3},
		{[]string{"--exit-code-from", "quick"}, 3},
		{[]string{"--exit-code-from", "slow"}, 137}, // stopped by the abort, with SIGKILL
	}
	for _, tt := range tests {
		start := time.Now()
		out, errs, code := e.berthCode(append([]string{"-f", file, "up"}, tt.args...)...)
		if code != tt.want {
			t.Errorf("up %v = exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.want, out, errs)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("up %v took %s: slow was not stopped", tt.args, d)
		}
		if !strings.Contains(out, "quick-1 exited with code 3") || !strings.Contains(errs, "Aborting on container exit...") ||
			!strings.Contains(errs, " Container "+e.project+"-slow-1  Stopped") {
			t.Errorf("up %v output lacks the exit, the abort or the stop\nstdout:\n%s\nstderr:\n%s", tt.args, out, errs)
		}
		if ps := e.mustBerth("-f", file, "ps", "-q"); ps != "" {
			t.Errorf("up %v left running containers: %q", tt.args, ps)
		}
	}
	if _, errs, code := e.berthCode("-f", file, "up", "-d", "--abort-on-container-exit"); code == 0 ||
		!strings.Contains(errs, "cannot be combined") {
		t.Errorf("up -d --abort-on-container-exit = exit %d, stderr %q; want refused", code, errs)
	}
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}

func TestE2EAttachedUpInterrupt(t *testing.T) {
	e := newAttachE2E(t)
	file := writeCompose(t, `services:
  polite:
    image: bte-busybox
    command: ["sh", "-c", "trap 'echo got term; exit 0' TERM; echo polite ready; while true; do sleep 0.1; done"]
  stubborn:
    image: bte-busybox
    command: ["sh", "-c", "trap '' TERM; echo stubborn ready; while true; do sleep 0.1; done"]
    stop_grace_period: 2m
`)
	b := e.start("-f", file, "up")
	b.waitFor("polite-1    | polite ready", false)
	b.waitFor("stubborn-1  | stubborn ready", false)
	b.cmd.Process.Signal(syscall.SIGINT)
	b.waitFor("Gracefully stopping... (press Ctrl+C again to force)", true)
	b.waitFor(" Container "+e.project+"-polite-1  Stopped", true)
	b.waitFor("polite-1    | got term", false)
	b.cmd.Process.Signal(syscall.SIGINT) // the stubborn one ignores SIGTERM: force
	if code := b.exitCode(20 * time.Second); code != 130 {
		t.Errorf("up after Ctrl-C = exit %d, want 130\nstdout:\n%s\nstderr:\n%s", code, b.out.String(), b.errb.String())
	}
	if !strings.Contains(b.errb.String(), " Container "+e.project+"-stubborn-1  Stopping") {
		t.Errorf("up stderr lacks the stubborn container's Stopping:\n%s", b.errb.String())
	}
	if ps := e.mustBerth("-f", file, "ps", "-q"); ps != "" {
		t.Errorf("containers still running after Ctrl-C twice: %q", ps)
	}
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}

func TestE2EUpWait(t *testing.T) {
	e := newAttachE2E(t)
	good := writeCompose(t, `services:
  migrate:
    image: bte-busybox
    command: ["sh", "-c", "echo migrated"]
  db:
    image: bte-busybox
    command: ["sh", "-c", "sleep 0.5; echo ok > /tmp/ready; exec sleep 3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "cat", "/tmp/ready"], interval: 100ms, retries: 50}
  app:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on:
      migrate: {condition: service_completed_successfully}
`)
	start := time.Now()
	_, errs, err := e.berth("-f", good, "up", "--wait", "--wait-timeout", "30")
	if err != nil {
		t.Fatalf("up --wait = %v\nstderr:\n%s", err, errs)
	}
	if d := time.Since(start); d > 25*time.Second {
		t.Errorf("up --wait took %s", d)
	}
	for _, want := range []string{e.project + "-db-1  Healthy", e.project + "-app-1  Healthy", e.project + "-migrate-1  Exited"} {
		if !strings.Contains(errs, want) {
			t.Errorf("up --wait stderr lacks %q:\n%s", want, errs)
		}
	}
	if out := e.mustBerth("-f", good, "ps", "db"); !strings.Contains(out, "(healthy)") {
		t.Errorf("ps db after up --wait = %q, want (healthy)", out)
	}
	e.mustBerth("-f", good, "down")

	bad := writeCompose(t, `services:
  sick:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "false"], interval: 100ms, retries: 2}
`)
	_, errs, err = e.berth("-f", bad, "up", "--wait", "--wait-timeout", "30")
	if err == nil || !strings.Contains(errs, "container "+e.project+"-sick-1 is unhealthy") {
		t.Errorf("up --wait with an unhealthy service = %v, stderr %q; want the container named", err, errs)
	}
	e.mustBerth("-f", bad, "down")

	slow := writeCompose(t, `services:
  sleepy:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "false"], interval: 100ms, retries: 1000}
`)
	_, errs, err = e.berth("-f", slow, "up", "--wait", "--wait-timeout", "1")
	if err == nil || !strings.Contains(errs, "timed out after 1s waiting for "+e.project+"-sleepy-1") {
		t.Errorf("up --wait --wait-timeout 1 = %v, stderr %q; want a timeout naming the container", err, errs)
	}
	e.mustBerth("-f", slow, "down")
	e.assertNoLeaks()
}

func TestE2ELogsFollowNewReplica(t *testing.T) {
	e := newAttachE2E(t)
	file := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sh", "-c", "echo app started; exec sleep 3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-f", file, "up", "-d")
	b := e.start("-f", file, "logs", "-f")
	b.waitFor("app-1  | app started\n", false)
	e.mustBerth("-f", file, "up", "-d", "--scale", "app=2")
	b.waitFor("app-2  | app started\n", false)
	e.mustBerth("-f", file, "restart", "app")
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Count(b.out.String(), "app-1  | app started\n") == 2 {
			break
		}
	}
	if n := strings.Count(b.out.String(), "app-1  | app started\n"); n != 2 {
		t.Errorf("logs -f printed app-1's start %d times across a restart, want 2:\n%s", n, b.out.String())
	}
	e.mustBerth("-f", file, "down")
	if code := b.exitCode(20 * time.Second); code != 0 {
		t.Errorf("logs -f after down = exit %d, want 0\nstderr:\n%s", code, b.errb.String())
	}
	e.assertNoLeaks()
}

func TestE2ELogsTailSince(t *testing.T) {
	e := newAttachE2E(t)
	file := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sh", "-c", "for i in 1 2 3 4 5; do echo line $$i; done; sleep 2; echo late; exec sleep 3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-f", file, "up", "-d")
	var out string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if out = e.mustBerth("-f", file, "logs"); strings.Contains(out, "line 5") {
			break
		}
	}
	mark := time.Now().UTC().Format(time.RFC3339Nano)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if out = e.mustBerth("-f", file, "logs"); strings.Contains(out, "late") {
			break
		}
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--tail", "2"}, "app-1  | line 5\napp-1  | late\n"},
		{[]string{"-n", "0"}, ""},
		{[]string{"--tail", "all", "--since", "1h"}, "app-1  | line 1\napp-1  | line 2\napp-1  | line 3\napp-1  | line 4\napp-1  | line 5\napp-1  | late\n"},
		{[]string{"--since", mark}, "app-1  | late\n"},
		{[]string{"--until", mark, "--tail", "1"}, "app-1  | line 5\n"},
		{[]string{"--until", "1h"}, ""},
		{[]string{"--no-log-prefix", "--tail", "1"}, "late\n"},
		{[]string{"--index", "1", "--tail", "1", "app"}, "app-1  | late\n"},
		{[]string{"--index", "2", "app"}, ""},
	}
	for _, tt := range tests {
		if got := e.mustBerth(append([]string{"-f", file, "logs"}, tt.args...)...); got != tt.want {
			t.Errorf("logs %v = %q, want %q", tt.args, got, tt.want)
		}
	}
	if got := e.mustBerth("-f", file, "logs", "-t", "--tail", "1"); !regexp.MustCompile(`^app-1  \| \d{4}-\d\d-\d\dT[0-9:.]+Z late\n$`).MatchString(got) {
		t.Errorf("logs -t --tail 1 = %q, want a timestamp before the line", got)
	}
	for _, args := range [][]string{{"nope"}, {"--tail", "x"}, {"--since", "yesterday"}, {"--index", "1"}} {
		if _, errs, err := e.berth(append([]string{"-f", file, "logs"}, args...)...); err == nil {
			t.Errorf("logs %v succeeded, want an error", args)
		} else if !strings.Contains(errs, "berth: ") {
			t.Errorf("logs %v stderr = %q", args, errs)
		}
	}
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}
