package main

import (
	"strings"
	"testing"
	"time"
)

// TestE2EFirstProbeAfterInterval: as Docker's health monitor, the first probe of a run
// comes one interval after the start (the start interval within the start period), not
// at once, so `up --wait` returns only then.
func TestE2EFirstProbeAfterInterval(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  slow:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "true"], interval: 2s}
  quick:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "true"], interval: 1m, start_period: 30s, start_interval: 1s}
`)
	for _, c := range []struct {
		service  string
		min, max time.Duration
	}{
		{"slow", 1800 * time.Millisecond, 10 * time.Second},
		{"quick", 900 * time.Millisecond, 4800 * time.Millisecond}, // under the default start interval (5s)
	} {
		began := time.Now()
		e.mustBerth("-f", file, "up", "-d", "--wait", c.service)
		if took := time.Since(began); took < c.min || took > c.max {
			t.Errorf("up --wait %s took %v, want between %v and %v", c.service, took, c.min, c.max)
		}
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

// TestE2EWaitForExited: `up -d --wait` on a service that exits at once reports it
// exited and exits 1, as Compose (which looks first after 500ms); `wait` on the exited
// container returns its exit code.
func TestE2EWaitForExited(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  oneshot:
    image: bte-busybox
    command: ["sh", "-c", "sleep 0.1; exit 3"]
`)
	_, errs, err := e.berth("-f", file, "up", "-d", "--wait")
	if exitCode(err) != 1 || !strings.Contains(errs, e.ctr("oneshot")+" exited (3)") {
		t.Errorf("up -d --wait = exit %d, stderr %q; want 1 and %q", exitCode(err), errs, e.ctr("oneshot")+" exited (3)")
	}
	out, errs, err := e.berth("-f", file, "wait", "oneshot")
	if exitCode(err) != 3 || !strings.Contains(out, "exited with status code 3") {
		t.Errorf("wait oneshot = exit %d, stdout %q, stderr %q; want 3 and its exit line", exitCode(err), out, errs)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}
