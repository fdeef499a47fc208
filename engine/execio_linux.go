package engine

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// execOutputDrain bounds how long an exec waits for output once its process has
// exited: a process it left behind that keeps stdout open would otherwise hold it.
const execOutputDrain = 2 * time.Second

// execIO is the stdio of an exec'd process: pipes the engine copies to and from the
// caller's readers and writers, /dev/null, or the pty slave of ExecSpec.Tty; never a
// file of the caller's, which the process could reopen through /proc/self/fd (and
// write to a read-only file given as stdin) or keep reading after the exec ended.
//
//	caller's Stdin ──CopyInput──> pipe ──> fd 0   (the write end closes at EOF or exit)
//	caller's Stdout <──io.Copy─── pipe <── fd 1
//	caller's Stderr <──io.Copy─── pipe <── fd 2   (one pipe when Stdout == Stderr)
type execIO struct {
	child  [3]*os.File // the process's ends, handed to the shim; nil is /dev/null
	owned  bool        // child are pipes of the engine's, closed by started
	in     *InputCopy
	inW    *os.File
	inOnce sync.Once
	outs   []*os.File // read ends of the output pipes
	copies sync.WaitGroup
	mu     sync.Mutex // serializes the writes of the two output copies
}

// newExecIO makes the stdio for es; the caller starts the process with child, then
// calls started, and finish once it has exited (or abort if it never started).
func newExecIO(es ExecSpec) (*execIO, error) {
	x := &execIO{}
	switch {
	case es.Detach:
		return x, nil // /dev/null: a detached process is attached to nobody
	case es.Tty:
		s, ok := es.Stdin.(*os.File)
		if !ok || !isTTY(s) {
			return nil, fmt.Errorf("exec with a terminal: stdin is not a pty slave: %w", ErrInvalid)
		}
		x.child = [3]*os.File{s, s, s}
		return x, nil
	}
	x.owned = true
	if err := x.pipeInput(es.Stdin); err != nil {
		x.abort()
		return nil, err
	}
	if err := x.pipeOutputs(es.Stdout, es.Stderr); err != nil {
		x.abort()
		return nil, err
	}
	return x, nil
}

func (x *execIO) pipeInput(src io.Reader) error {
	if src == nil {
		return nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("stdin pipe: %w", err)
	}
	x.child[0], x.inW = r, w
	x.in = CopyInput(w, src)
	go func() {
		<-x.in.Done()
		x.closeInput() // EOF for the process
	}()
	return nil
}

func (x *execIO) pipeOutputs(stdout, stderr io.Writer) error {
	for i, w := range []io.Writer{stdout, stderr} {
		if w == nil {
			continue
		}
		if i == 1 && x.child[1] != nil && sameWriter(stdout, stderr) {
			x.child[2] = x.child[1] // one pipe keeps the order of the two streams
			continue
		}
		r, pw, err := os.Pipe()
		if err != nil {
			return fmt.Errorf("output pipe: %w", err)
		}
		x.child[i+1] = pw
		x.outs = append(x.outs, r)
		x.copies.Add(1)
		go func() {
			defer x.copies.Done()
			io.Copy(lockedWriter{&x.mu, w}, r)
		}()
	}
	return nil
}

// started closes the engine's copies of the process's ends: the process holds them
// (the pty slave of a Tty exec is the caller's). It is idempotent.
func (x *execIO) started() {
	if !x.owned {
		return
	}
	x.owned = false
	for i, f := range x.child {
		if f != nil && (i != 2 || f != x.child[1]) {
			f.Close()
		}
	}
}

// finish, once the process has exited, stops reading the caller's input (a process
// left behind gets EOF, never the caller's next keystrokes), drains the output for at
// most execOutputDrain and waits for the copies to end.
func (x *execIO) finish() {
	if x.in != nil {
		x.in.Stop()
		x.closeInput()
	}
	done := make(chan struct{})
	go func() {
		x.copies.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(execOutputDrain):
	}
	for _, r := range x.outs {
		r.Close() // a process left behind that writes on gets EPIPE
	}
	<-done
}

// abort releases everything when the process never started.
func (x *execIO) abort() {
	x.started()
	x.finish()
}

func (x *execIO) closeInput() {
	x.inOnce.Do(func() { x.inW.Close() })
}

// lockedWriter serializes the writes of the stdout and stderr copies into writers that
// may be one and the same.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// sameWriter reports whether a and b are the same writer (as os/exec compares them: a
// non-comparable type is never the same).
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

func isTTY(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
