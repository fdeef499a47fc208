package project

import (
	"io"
	"os"
	"os/signal"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine"
)

// terminal is a pseudo-terminal for one process, connected to the user's stdin and
// stdout: keystrokes go to the master (the user's terminal, when stdin is one, is in
// raw mode, so ^C reaches the process as a byte and its line discipline makes the
// signal), the master's output goes to stdout, and the window size follows the user's
// (SIGWINCH). The process gets the slave.
//
//	user tty (raw) ──stdin──> master ──> slave = process's stdin/stdout/stderr, ctty
//	stdout <────────────────  master <──
type terminal struct {
	master, slave *os.File
	restore       func()
	in            *engine.InputCopy // nil without stdin
	winch         chan os.Signal
	outDone       chan struct{}
	closeOnce     sync.Once
}

// outputDrain bounds how long close waits for output once the process has exited: a
// background process that kept the slave open would otherwise hold it forever.
const outputDrain = 2 * time.Second

func openTerminal(openPTY func() (*os.File, *os.File, error), stdin io.Reader, stdout io.Writer) (*terminal, error) {
	m, s, err := openPTY()
	if err != nil {
		return nil, err
	}
	t := &terminal{master: m, slave: s, restore: func() {}, outDone: make(chan struct{})}
	size := sizeSource(stdin, stdout)
	if size != nil {
		t.resize(size)
		t.winch = make(chan os.Signal, 1)
		signal.Notify(t.winch, unix.SIGWINCH)
		go func() {
			for range t.winch {
				t.resize(size)
			}
		}()
	}
	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		if t.restore, err = makeRaw(f); err != nil {
			t.close()
			return nil, err
		}
	}
	if stdin != nil {
		t.in = engine.CopyInput(m, stdin) // stopped when the process ends
	}
	go func() {
		if stdout != nil {
			io.Copy(stdout, m) // ends with EIO once every slave fd is closed
		}
		close(t.outDone)
	}()
	return t, nil
}

// close, after the process has exited, drains its output, restores the user's terminal
// and releases the pty. It is idempotent.
func (t *terminal) close() {
	t.closeOnce.Do(func() {
		if t.in != nil {
			t.in.Stop() // the user's next keystrokes are not for a process left behind
		}
		t.slave.Close()
		select {
		case <-t.outDone:
		case <-time.After(outputDrain):
		}
		if t.winch != nil {
			signal.Stop(t.winch)
			close(t.winch)
		}
		t.restore()
		t.master.Close()
	})
}

func (t *terminal) resize(from *os.File) {
	if ws, err := unix.IoctlGetWinsize(int(from.Fd()), unix.TIOCGWINSZ); err == nil {
		unix.IoctlSetWinsize(int(t.master.Fd()), unix.TIOCSWINSZ, ws)
	}
}

// sizeSource is the user's terminal to take the window size from: stdout, else stdin.
func sizeSource(stdin io.Reader, stdout io.Writer) *os.File {
	if f, ok := stdout.(*os.File); ok && isTerminal(f) {
		return f
	}
	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		return f
	}
	return nil
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// makeRaw puts the terminal in raw mode (cfmakeraw) and returns the function that
// restores its previous mode.
func makeRaw(f *os.File) (func(), error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	raw := *old
	raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	raw.Oflag &^= unix.OPOST
	raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	raw.Cflag &^= unix.CSIZE | unix.PARENB
	raw.Cflag |= unix.CS8
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &raw); err != nil {
		return nil, err
	}
	return func() { unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}
