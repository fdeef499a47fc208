package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/internal/atomicfile"
)

// Engine runs containers whose state lives under Root/containers/<id>/. It holds no
// in-memory state: any Engine value with the same Root sees the same containers, so a
// restarted supervisor finds running containers and their exit codes on disk. Methods
// are safe for concurrent use on different containers.
type Engine struct {
	Root string
	// CgroupParent names the parent cgroup (per hierarchy) that holds the containers'
	// cgroups; empty means "berth".
	CgroupParent string
}

// dir is the container's directory, <root>/containers/<id>. Every method reaches a
// container's files through it, and it refuses (ErrInvalid) an ID checkID refuses, so
// no ID (".." in a damaged state file, say) leads outside <root>/containers.
func (e *Engine) dir(id string) (string, error) {
	if err := checkID(id); err != nil {
		return "", err
	}
	return filepath.Join(e.Root, "containers", id), nil
}

func (e *Engine) cgroupParent() string {
	if e.CgroupParent == "" {
		return "berth"
	}
	return e.CgroupParent
}

// cgroupParentFile, in a container's dir, names the parent cgroup of a container
// whose spec sets CgroupParent; without it the container's cgroup is under the
// engine's parent.
const cgroupParentFile = "cgroup-parent"

// cgroupParentOf is the parent cgroup of the container's cgroup.
func (e *Engine) cgroupParentOf(id string) string {
	dir, err := e.dir(id)
	if err != nil {
		return e.cgroupParent()
	}
	b, err := readFile(filepath.Join(dir, cgroupParentFile))
	if err != nil || len(b) == 0 {
		return e.cgroupParent()
	}
	return string(b)
}

// Create records the container (config.json, state.json, upper/, work/) without starting
// it. It returns ErrExists if the ID is taken and ErrInvalid for a bad spec. Nothing is
// mounted: the overlay rootfs lives only in the container's own mount namespace.
func (e *Engine) Create(spec Spec) error {
	if err := spec.validate(); err != nil {
		return err
	}
	if err := spec.validateSeccomp(); err != nil {
		return fmt.Errorf("create container %q: %w", spec.ID, err)
	}
	dir, err := e.dir(spec.ID)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return fmt.Errorf("create container %q: %w", spec.ID, err)
	}
	if !e.takeSpareDir(dir) { // see sparedirs_linux.go
		if err := os.Mkdir(dir, 0o700); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("create container %q: %w", spec.ID, ErrExists)
			}
			return fmt.Errorf("create container %q: %w", spec.ID, err)
		}
		for _, d := range []string{"upper", "work"} {
			if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
				return fmt.Errorf("create container %q: %w", spec.ID, err)
			}
		}
	}
	if err := writeJSON(filepath.Join(dir, "config.json"), &spec); err != nil {
		return fmt.Errorf("create container %q: %w", spec.ID, err)
	}
	if err := writeCgroupParent(dir, spec.CgroupParent); err != nil {
		return fmt.Errorf("create container %q: %w", spec.ID, err)
	}
	st := State{ID: spec.ID, Status: StatusCreated}
	return writeJSON(filepath.Join(dir, "state.json"), &st)
}

// State reads the container's state from disk; a running container whose cgroup is
// frozen is reported as StatusPaused. It returns ErrNotFound for an unknown ID and a
// *StateError (ErrBadState) naming state.json when that cannot be read or parsed.
func (e *Engine) State(id string) (State, error) {
	st, err := e.readState(id)
	if err != nil {
		return st, err
	}
	if st.Status == StatusRunning && !alive(st.MonitorPid) {
		// The monitor may have recorded the exit and gone since the read: read again,
		// after seeing it gone (it records the exit before it exits).
		if st, err = e.readState(id); err != nil {
			return st, err
		}
		if st.Status == StatusRunning && !alive(st.Pid) {
			// The monitor died without recording an exit (kill -9): the container's
			// pid namespace died with its init unless init is still there.
			st.Status, st.ExitCode = StatusExited, 255
		}
	}
	if st.Status == StatusRunning && isFrozen(e.cgroupParentOf(id), id) {
		st.Status = StatusPaused
	}
	return st, nil
}

// Command returns the command the container runs (or ran): its entrypoint and cmd
// combined with the image's by Docker's rules. It returns ErrNotFound for an unknown ID.
func (e *Engine) Command(id string) ([]string, error) {
	var spec Spec
	dir, err := e.dir(id)
	if err != nil {
		return nil, err
	}
	if err := readJSON(filepath.Join(dir, "config.json"), &spec); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("container %q: %w", id, ErrNotFound)
		}
		return nil, fmt.Errorf("container %q config: %w", id, err)
	}
	return spec.argv()
}

// readState reads state.json; one that cannot be read or parsed is a *StateError
// (ErrBadState) naming it.
func (e *Engine) readState(id string) (State, error) {
	var st State
	dir, err := e.dir(id)
	if err != nil {
		return st, err
	}
	path := filepath.Join(dir, "state.json")
	b, err := readFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return st, fmt.Errorf("container %q: %w", id, ErrNotFound)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return st, &StateError{Path: path, Err: err}
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, &StateError{Path: path, Err: err}
	}
	return st, nil
}

func alive(pid int) bool {
	return pid > 0 && unix.Kill(pid, 0) == nil
}

// List returns the states of every container under Root, sorted by ID. A container
// whose state cannot be read (ErrBadState) is listed with its ID only.
func (e *Engine) List() ([]State, error) {
	ids, err := e.IDs()
	if err != nil {
		return nil, err
	}
	var out []State
	for _, id := range ids {
		st, err := e.State(id)
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid) { // not a container's dir
			continue
		}
		if errors.Is(err, ErrBadState) {
			st = State{ID: id}
		} else if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Wait blocks until the container has exited and returns how it ended. It works from
// any process (the starter need not be the monitor's parent): it waits on a pidfd of
// the monitor, which writes the exit status before it exits.
func (e *Engine) Wait(id string) (ExitStatus, error) {
	for {
		st, err := e.State(id)
		if err != nil {
			return ExitStatus{}, err
		}
		switch st.Status {
		case StatusExited:
			return ExitStatus{ExitCode: st.ExitCode, OOMKilled: st.OOMKilled, Signal: st.Signal}, nil
		case StatusCreated:
			return ExitStatus{}, fmt.Errorf("wait container %q: %w", id, ErrNotRunning)
		}
		if alive(st.MonitorPid) {
			waitPid(st.MonitorPid)
		} else {
			waitPid(st.Pid) // the monitor was killed: the exit code is lost, not the exit
		}
	}
}

// waitPid blocks until pid exits, via pidfd; it returns at once (after a millisecond,
// so that a caller's loop does not spin) if pid is gone.
func waitPid(pid int) {
	if !waitPidExit(pid, -1) {
		time.Sleep(time.Millisecond)
	}
}

// waitPidExit blocks until pid exits or d passes (never, for d < 0). It reports false
// if pid could not be opened (it is gone). It waits in Go's netpoller on a
// non-blocking pidfd, so a supervisor watching fifty containers does not hold fifty OS
// threads in poll(2); kernels before 5.10 (no PIDFD_NONBLOCK) poll on a thread.
func waitPidExit(pid int, d time.Duration) bool {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err == unix.EINVAL {
		return pollPidExit(pid, d)
	}
	if err != nil {
		return false
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	if d >= 0 {
		f.SetReadDeadline(time.Now().Add(d))
	}
	waitPidfd(f)
	return true
}

// waitPidfd waits until the process of f, a non-blocking pidfd in the netpoller, has
// exited, or until f's read deadline. Each wake-up asks the kernel (poll(2) without a
// timeout) whether it has: the netpoller's readiness is an edge, and one that came
// before the wait began (the process exited before or while the pidfd was registered,
// common for a short command) is dropped when Read starts, so waiting for the next
// edge alone would wait forever.
func waitPidfd(f *os.File) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Read(func(fd uintptr) bool {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 0)
		return n > 0 || err != nil && err != unix.EINTR
	})
}

// pollPidExit is waitPidExit with poll(2) on a blocking pidfd.
func pollPidExit(pid int, d time.Duration) bool {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	deadline := time.Now().Add(d)
	for {
		timeout := -1
		if d >= 0 {
			if timeout = int(time.Until(deadline)/time.Millisecond) + 1; time.Now().After(deadline) {
				return true
			}
		}
		if _, err := unix.Poll(fds, timeout); err != unix.EINTR {
			return true
		}
	}
}

// Kill sends sig to the container's init. It returns ErrNotRunning if it is not running.
// A paused container gets the signal when it is thawed; SIGKILL thaws it, as Docker does.
// When the state cannot be read (ErrBadState), every process of the container's cgroups
// gets sig.
func (e *Engine) Kill(id string, sig syscall.Signal) error {
	st, err := e.State(id)
	if errors.Is(err, ErrBadState) {
		if !e.signalCgroup(id, sig) {
			return fmt.Errorf("kill container %q: %w", id, ErrNotRunning)
		}
		if sig == syscall.SIGKILL && isFrozen(e.cgroupParentOf(id), id) {
			return setFrozen(e.cgroupParentOf(id), id, false)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if st.Status != StatusRunning && st.Status != StatusPaused {
		return fmt.Errorf("kill container %q: %w", id, ErrNotRunning)
	}
	if err := unix.Kill(st.Pid, sig); err != nil && err != unix.ESRCH {
		return fmt.Errorf("kill container %q: %w", id, err)
	}
	if st.Status == StatusPaused && sig == syscall.SIGKILL {
		if err := setFrozen(e.cgroupParentOf(id), id, false); err != nil {
			return fmt.Errorf("kill container %q: %w", id, err)
		}
	}
	return nil
}

// Stop sends sig (SIGTERM if 0), waits up to grace, then sends SIGKILL, and returns how
// the container ended. A paused container is thawed after the signal so that it can
// handle it. Stopping a container that is not running is not an error. A container whose
// state cannot be read (ErrBadState) is stopped through its cgroups; its exit status is
// then what its shim records, if it can, else unknown (zero).
func (e *Engine) Stop(id string, sig syscall.Signal, grace time.Duration) (ExitStatus, error) {
	if sig == 0 {
		sig = syscall.SIGTERM
	}
	if _, err := e.State(id); errors.Is(err, ErrBadState) {
		return e.stopUnknown(id, sig, grace)
	}
	if err := e.Kill(id, sig); err != nil && !errors.Is(err, ErrNotRunning) {
		return ExitStatus{}, err
	}
	if isFrozen(e.cgroupParentOf(id), id) {
		if err := setFrozen(e.cgroupParentOf(id), id, false); err != nil {
			return ExitStatus{}, fmt.Errorf("stop container %q: %w", id, err)
		}
	}
	done := make(chan struct{})
	var es ExitStatus
	var werr error
	go func() { es, werr = e.Wait(id); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		if err := e.Kill(id, syscall.SIGKILL); err != nil && !errors.Is(err, ErrNotRunning) {
			return ExitStatus{}, err
		}
		<-done
	}
	if errors.Is(werr, ErrNotRunning) {
		return ExitStatus{}, nil
	}
	return es, werr
}

// Remove deletes the container's cgroups and its state dir. A running container is
// refused with ErrRunning unless force, which kills it first. Remove of a half-created
// container works; removing an unknown ID returns ErrNotFound. A container whose state
// cannot be read (ErrBadState) counts as running while its cgroups hold a process.
func (e *Engine) Remove(id string, force bool) error {
	st, err := e.State(id)
	if errors.Is(err, ErrBadState) {
		if len(e.cgroupPids(id)) > 0 {
			if !force {
				return fmt.Errorf("remove container %q: %w (%w)", id, ErrRunning, err)
			}
			if _, err := e.stopUnknown(id, syscall.SIGKILL, 0); err != nil {
				return fmt.Errorf("remove container %q: %w", id, err)
			}
		}
		st, err = State{}, nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	dir, derr := e.dir(id)
	if derr != nil {
		return derr
	}
	if _, serr := os.Stat(dir); errors.Is(err, ErrNotFound) && serr != nil {
		return err
	}
	if st.Status == StatusRunning || st.Status == StatusPaused {
		if !force {
			return fmt.Errorf("remove container %q: %w", id, ErrRunning)
		}
		if _, err := e.Stop(id, syscall.SIGKILL, 10*time.Second); err != nil {
			return fmt.Errorf("remove container %q: %w", id, err)
		}
	}
	// The cgroups (one per v1 hierarchy) go while the container dir is removed.
	cgDone := make(chan error, 1)
	parent := e.cgroupParentOf(id) // read before the dir goes
	go func() {
		err := removeCgroup(parent, id)
		if err == nil && parent != e.cgroupParent() {
			removeEmptyParents(parent)
		}
		cgDone <- err
	}()
	if err = removeShm(dir); err == nil && !e.recycleDir(id, dir) {
		err = removeTree(dir)
	}
	if cgErr := <-cgDone; cgErr != nil {
		return fmt.Errorf("remove container %q: %w", id, cgErr)
	}
	if err != nil {
		return fmt.Errorf("remove container %q: %w", id, err)
	}
	return nil
}

// writeJSON replaces path with v as JSON, mode 0600, through a temp file whose blocks
// are reserved first and a rename (atomicfile.WriteFileReserved): on any error, a full
// disk too, path keeps its old content. A container's files are not fsynced: it does
// not outlive a reboot, and syncing tripled the cost of a start.
func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return atomicfile.WriteFileReserved(path, b, 0o600)
}

func readJSON(path string, v any) error {
	b, err := readFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// IDs lists the IDs of the containers under Root (unsorted), whatever their state.
func (e *Engine) IDs() ([]string, error) {
	names, err := readDirNames(filepath.Join(e.Root, "containers"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	ids := names[:0]
	for _, n := range names {
		if checkID(n) == nil { // anything else is not a container's dir
			ids = append(ids, n)
		}
	}
	return ids, nil
}

// Spec returns the spec the container was created with (its config.json): its labels
// and mounts tell an orchestrator whose own records are lost what the container was. It
// returns ErrNotFound for an unknown ID.
func (e *Engine) Spec(id string) (Spec, error) {
	var spec Spec
	dir, err := e.dir(id)
	if err != nil {
		return spec, err
	}
	path := filepath.Join(dir, "config.json")
	if err := readJSON(path, &spec); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Spec{}, fmt.Errorf("container %q: %w", id, ErrNotFound)
		}
		return Spec{}, fmt.Errorf("read config %s: %w", path, err)
	}
	return spec, nil
}
