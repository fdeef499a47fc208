package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// Lock takes an exclusive advisory lock (flock) on the container, across processes, and
// returns the func that releases it. The engine's own methods never take it: it is for
// callers that must make a check-then-act sequence atomic, such as "start the container
// unless someone else started it" when two processes may start the same container. It
// blocks while another holder has it and returns ErrNotFound for an unknown ID. The lock
// dies with the container's directory: Remove may run while it is held.
func (e *Engine) Lock(id string) (func(), error) {
	dir, err := e.dir(id)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lock container %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("lock container %q: %w", id, err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock container %q: %w", id, err)
	}
	return func() { f.Close() }, nil
}
