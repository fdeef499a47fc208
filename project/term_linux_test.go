package project

import (
	"bufio"
	"io"
	"os"
	"testing"

	"github.com/berth-dev/berth/engine"
)

// TestTerminalCloseStopsInput checks that once an exec's terminal is closed (its
// process has exited), the user's input is read no more: a process left behind on the
// pty gets none of the user's later keystrokes.
func TestTerminalCloseStopsInput(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	term, err := openTerminal(engine.OpenPTY, r, io.Discard)
	if err != nil {
		t.Skipf("skipping: no pseudo-terminal: %v", err)
	}
	w.WriteString("typed\n")
	line, err := bufio.NewReader(term.slave).ReadString('\n')
	if err != nil || line != "typed\n" {
		t.Fatalf("the process read %q, %v; want %q", line, err, "typed\n")
	}
	term.close()
	w.WriteString("after\n")
	w.Close()
	if rest, _ := io.ReadAll(r); string(rest) != "after\n" {
		t.Errorf("input left after close = %q, want %q (nothing read from it)", rest, "after\n")
	}
}
