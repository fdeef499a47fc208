package project

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"

	"github.com/berth-dev/berth/engine"
	"golang.org/x/sys/unix"
)

// runTTY reports whether `run` gives the one-off container a terminal: attached, not
// -T, and stdin is a terminal, as Compose decides.
func runTTY(opts RunOptions) bool {
	f, ok := opts.Stdin.(*os.File)
	return !opts.Detach && !opts.NoTTY && ok && isTerminal(f)
}

// runConsoleSize is the size, {rows, columns}, of the user's terminal (see sizeSource)
// that the one-off container's pty gets at creation, before its command runs (as
// docker run's ConsoleSize); zero when there is none. attachStdin's resize then only
// follows the user's later changes.
func runConsoleSize(opts RunOptions) [2]uint16 {
	src := sizeSource(opts.Stdin, opts.Stdout)
	if src == nil {
		return [2]uint16{}
	}
	ws, err := unix.IoctlGetWinsize(int(src.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return [2]uint16{}
	}
	return [2]uint16{ws.Row, ws.Col}
}

// runStdinOpen reports whether the one-off container's stdin is kept open for the
// caller's: attached and interactive (-i, the default).
func runStdinOpen(opts RunOptions) bool {
	return !opts.Detach && opts.Interactive && opts.Stdin != nil
}

// attachStdin copies opts.Stdin into the container's stdin, taken from its monitor,
// and returns the function that ends the attachment once the container has exited.
// Without a terminal the container gets EOF when opts.Stdin ends. With one the user's
// terminal is in raw mode meanwhile (^C reaches the container's line discipline as a
// byte) and the container's window size follows it (SIGWINCH); its output still comes
// from the log. The returned function stops reading opts.Stdin (see engine.CopyInput).
// wrap, when not nil, wraps the container's stdin as the copy writes it (attach's
// detach keys).
func (r *run) attachStdin(c *ContainerState, opts RunOptions, wrap func(io.Writer) io.Writer) (func(), error) {
	f, err := r.eng.AttachStdin(c.ID)
	if errors.Is(err, engine.ErrNotRunning) {
		return func() {}, nil // it has already ended: nothing reads stdin any more
	}
	if err != nil {
		return nil, fmt.Errorf("attach stdin of %s: %w", describe(c), err)
	}
	var dst io.Writer = f
	if wrap != nil {
		dst = wrap(f)
	}
	if !runTTY(opts) {
		in := engine.CopyInput(dst, opts.Stdin)
		var once sync.Once
		closeStdin := func() { once.Do(func() { f.Close() }) } // EOF for the container
		go func() {
			<-in.Done()
			closeStdin()
		}()
		return func() {
			in.Stop()
			closeStdin()
		}, nil
	}
	in := opts.Stdin.(*os.File)
	restore, err := makeRaw(in)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("attach stdin of %s: raw terminal: %w", describe(c), err)
	}
	resize := func() {
		if src := sizeSource(in, opts.Stdout); src != nil {
			if ws, err := unix.IoctlGetWinsize(int(src.Fd()), unix.TIOCGWINSZ); err == nil {
				unix.IoctlSetWinsize(int(f.Fd()), unix.TIOCSWINSZ, ws)
			}
		}
	}
	resize()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, unix.SIGWINCH)
	go func() {
		for range winch {
			resize()
		}
	}()
	copied := engine.CopyInput(dst, in)
	return func() {
		copied.Stop()
		signal.Stop(winch)
		close(winch)
		restore()
		f.Close()
	}, nil
}
