package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestE2EImageStopSignal: `berth build` records STOPSIGNAL, and stop uses it when the
// service sets no stop_signal (Docker's precedence: stop_signal, then the image's
// STOPSIGNAL, then SIGTERM). The trap's exit code tells which signal came.
func TestE2EImageStopSignal(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	compose := `services:
  img:
    build:
      context: .
      dockerfile_inline: |
        FROM bte-busybox
        STOPSIGNAL SIGUSR1
        CMD ["sh", "-c", "trap 'exit 7' USR1; trap 'exit 8' USR2; trap 'exit 9' TERM; while true; do sleep 0.1; done"]
  svc:
    image: ` + e.project + `-img
    stop_signal: SIGUSR2
  plain:
    image: bte-busybox
    command: ["sh", "-c", "trap 'exit 7' USR1; trap 'exit 9' TERM; while true; do sleep 0.1; done"]
`
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	e.mustBerth("-f", file, "build", "img")
	e.mustBerth("-f", file, "up", "-d")
	e.mustBerth("-f", file, "stop", "-t", "5")
	e.waitState(file, e.ctr("img"), "exited", 7)
	e.waitState(file, e.ctr("svc"), "exited", 8)
	e.waitState(file, e.ctr("plain"), "exited", 9)
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}
