package main

import (
	"strings"
	"testing"
)

// attach: false keeps a service's output out of an attached up and out of logs
// without services named, as Compose; naming it (--attach, logs SERVICE) shows it.
func TestE2EAttachFalse(t *testing.T) {
	e := newAttachE2E(t)
	file := writeCompose(t, `services:
  loud:
    image: bte-busybox
    command: ["sh", "-c", "sleep 0.5; echo from-loud"]
  quiet:
    image: bte-busybox
    attach: false
    command: ["sh", "-c", "echo from-quiet"]
`)
	out, errs, code := e.berthCode("-f", file, "up")
	if code != 0 || !strings.Contains(out, "from-loud") || strings.Contains(out, "from-quiet") {
		t.Errorf("up = exit %d, stdout:\n%s\nstderr:\n%s\nwant loud's output, not quiet's (attach: false)", code, out, errs)
	}
	if _, line, _ := strings.Cut(errs, "Attaching to"); strings.Contains(strings.SplitN(line, "\n", 2)[0], "quiet") {
		t.Errorf("up attached to quiet:\n%s", errs)
	}
	if out := e.mustBerth("-f", file, "logs"); strings.Contains(out, "from-quiet") || !strings.Contains(out, "from-loud") {
		t.Errorf("logs = %q, want loud's output only", out)
	}
	if out := e.mustBerth("-f", file, "logs", "quiet"); !strings.Contains(out, "from-quiet") {
		t.Errorf("logs quiet = %q, want its output", out)
	}
	if out, _, _ := e.berthCode("-f", file, "up", "--attach", "quiet"); !strings.Contains(out, "from-quiet") {
		t.Errorf("up --attach quiet = %q, want its output", out)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}
