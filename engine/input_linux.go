package engine

import (
	"io"
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// InputCopy is a copy of a caller's input (its stdin, maybe a terminal) into a
// process's (a pipe, a pty master), made by CopyInput.
type InputCopy struct {
	stopped atomic.Bool
	mu      sync.Mutex // guards wake against its close
	wake    int        // eventfd that ends the poll of a file; -1 once closed or unused
	done    chan struct{}
}

// CopyInput starts copying src into dst and returns at once. The copy ends at src's
// EOF or error, at dst's error, or at Stop; Done is closed then. dst is not closed.
//
// When src is an *os.File (a terminal, a pipe, a file), the copy waits for input with
// poll(2) next to Stop's wakeup: once Stop has returned, src is read no more, so that a
// keystroke typed after a process ended stays with the terminal's next reader instead
// of reaching whatever the process left behind. Other readers are read in a goroutine
// that Stop abandons if it is blocked in a read; what that read returns is dropped.
func CopyInput(dst io.Writer, src io.Reader) *InputCopy {
	c := &InputCopy{wake: -1, done: make(chan struct{})}
	f, ok := src.(*os.File)
	if ok {
		if fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC); err == nil {
			c.wake = fd
			go c.copyFile(dst, f)
			return c
		}
	}
	go c.copyReader(dst, src)
	return c
}

// Stop ends the copy; src is read no more once it has returned (a read that poll
// found ready and that has started completes). It is idempotent.
func (c *InputCopy) Stop() {
	c.stopped.Store(true)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wake >= 0 {
		unix.Write(c.wake, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	}
}

// Done is closed when the copy has ended.
func (c *InputCopy) Done() <-chan struct{} { return c.done }

func (c *InputCopy) copyReader(dst io.Writer, src io.Reader) {
	defer close(c.done)
	buf := make([]byte, 32<<10)
	for !c.stopped.Load() {
		n, err := src.Read(buf)
		if c.stopped.Load() {
			return
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// copyFile copies from (a duplicate of) f's fd, read only when poll finds it ready;
// the fd keeps its mode (a terminal shared with the user's shell must not turn
// non-blocking).
func (c *InputCopy) copyFile(dst io.Writer, f *os.File) {
	defer func() {
		c.mu.Lock()
		unix.Close(c.wake)
		c.wake = -1
		c.mu.Unlock()
		close(c.done)
	}()
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	// A duplicate, so that the caller may close f meanwhile without waiting for us.
	dup := -1
	rc.Control(func(fd uintptr) { dup, _ = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0) })
	if dup < 0 {
		return
	}
	defer unix.Close(dup)
	c.pollLoop(dst, dup)
}

func (c *InputCopy) pollLoop(dst io.Writer, fd int) {
	buf := make([]byte, 32<<10)
	for {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(c.wake), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, -1); err == unix.EINTR {
			continue
		} else if err != nil || pfd[1].Revents != 0 || c.stopped.Load() {
			return
		}
		if pfd[0].Revents&unix.POLLNVAL != 0 {
			return
		}
		n, err := unix.Read(fd, buf)
		switch {
		case err == unix.EINTR || err == unix.EAGAIN:
			continue
		case err != nil || n <= 0:
			return
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}
