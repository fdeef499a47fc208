package project

import (
	"bufio"
	"io"
	"os"
	"testing"

	"golang.org/x/sys/unix"

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

// TestRunConsoleSize: `run` sizes the one-off container's pty as the user's terminal
// (stdout, else stdin) when it creates it; without a terminal the size is zero.
func TestRunConsoleSize(t *testing.T) {
	m, s, err := engine.OpenPTY()
	if err != nil {
		t.Skipf("skipping: no pseudo-terminal: %v", err)
	}
	defer m.Close()
	defer s.Close()
	if err := unix.IoctlSetWinsize(int(m.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 100}); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, tt := range []struct {
		name   string
		stdin  io.Reader
		stdout io.Writer
		want   [2]uint16
	}{
		{"stdin terminal", s, w, [2]uint16{40, 100}},
		{"stdout terminal", r, s, [2]uint16{40, 100}},
		{"no terminal", r, w, [2]uint16{}},
		{"nothing", nil, nil, [2]uint16{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := runConsoleSize(RunOptions{Stdin: tt.stdin, Stdout: tt.stdout}); got != tt.want {
				t.Errorf("runConsoleSize = %v, want %v", got, tt.want)
			}
		})
	}
}
