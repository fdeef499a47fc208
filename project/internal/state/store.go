package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/internal/atomicfile"
	"golang.org/x/sys/unix"
)

// Sentinel errors, tested with errors.Is.
var (
	// ErrNotFound: no such project, service or container.
	ErrNotFound = errors.New("not found")
	// ErrExists: a name or host port is already taken.
	ErrExists = errors.New("already exists")
	// ErrInvalid: the request or the project cannot be run as asked.
	ErrInvalid = errors.New("invalid")
)

// Load reads the recorded state of project name; a project never brought up yields
// an error wrapping ErrNotFound. A state file that cannot be read or parsed (empty,
// truncated, garbage) yields an *engine.StateError naming it (errors.Is
// engine.ErrBadState): Down still removes what it can find (see recoverState).
func (c Paths) Load(name string) (*State, error) {
	path, err := c.StatePath(name)
	if err != nil {
		return nil, fmt.Errorf("project %q: %w", name, err)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("project %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, &engine.StateError{Path: path, Err: unwrapPath(err)}
	}
	st := &State{}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, &engine.StateError{Path: path, Err: err}
	}
	return st, nil
}

// unwrapPath is the cause of a *fs.PathError (whose path the caller names itself).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Save writes st atomically (temp file + rename).
func (c Paths) Save(st *State) error {
	b, err := Encode(st)
	if err != nil {
		return err
	}
	return c.SaveEncoded(st.Name, b)
}

// Encode is st as its state file holds it (containers sorted by service and number,
// which it sorts in place): Save in two halves, so a caller can take the snapshot under
// its lock and write it outside.
func Encode(st *State) ([]byte, error) {
	sort.Slice(st.Containers, func(i, j int) bool {
		a, b := st.Containers[i], st.Containers[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Number < b.Number
	})
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("save state of project %q: %w", st.Name, err)
	}
	return b, nil
}

// SaveEncoded writes project name's state file, b from Encode, atomically.
func (c Paths) SaveEncoded(name string, b []byte) error {
	p, err := c.StatePath(name)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(p), 0o700)
	}
	if err == nil {
		err = WriteAtomic(p, b)
	}
	if err != nil {
		return fmt.Errorf("save state of project %q: %w", name, err)
	}
	return nil
}

// FileExists reports whether p exists.
func FileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// WriteAtomic replaces path with b, mode 0600, through a synced temp file in path's
// directory (which must exist) and a rename: on any error (a full disk too) path keeps
// its old content.
func WriteAtomic(path string, b []byte) error {
	return atomicfile.WriteFile(path, b, 0o600)
}

// Lock takes the project's flock, serialising mutating commands across processes.
// The returned func releases it.
func (c Paths) Lock(name string) (func(), error) {
	dir, err := c.ProjectDir(name)
	if err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return nil, fmt.Errorf("lock project %q: %w", name, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock project %q: %w", name, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock project %q: %w", name, err)
	}
	return func() { f.Close() }, nil
}

// IsNotFound reports whether err is a not-found of a project (ErrNotFound) or of a
// container (engine.ErrNotFound).
func IsNotFound(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, engine.ErrNotFound)
}

// Busy reports whether a command holds project name's lock (an up, restart, down ...
// in progress), without waiting for it and without creating anything.
func (c Paths) Busy(name string) bool {
	dir, err := c.ProjectDir(name)
	if err != nil {
		return false
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return errors.Is(err, unix.EWOULDBLOCK)
	}
	unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return false
}
