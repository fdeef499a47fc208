package engine

import (
	"errors"
	"fmt"
	"syscall"
	"time"
)

// ErrBadState: the container's state.json exists but cannot be read or parsed (empty,
// truncated, garbage). The error is a *StateError naming the file. Stop, Kill and
// Remove still work on such a container: they find its processes through its cgroup.
var ErrBadState = errors.New("unreadable container state")

// StateError is the error of a state file that cannot be read: "read state
// /var/lib/berth/containers/ID/state.json: unexpected end of JSON input". It matches
// ErrBadState with errors.Is and unwraps to the cause.
type StateError struct {
	Path string
	Err  error
}

func (e *StateError) Error() string        { return "read state " + e.Path + ": " + e.Err.Error() }
func (e *StateError) Unwrap() error        { return e.Err }
func (e *StateError) Is(target error) bool { return target == ErrBadState }

// cgroupPids lists the processes in the container's cgroups (every v1 hierarchy): what
// runs of a container whose state is unknown.
func (e *Engine) cgroupPids(id string) []int {
	seen := map[int]bool{}
	var out []int
	for _, d := range cgroupDirs(e.cgroupParent(), id) {
		pids, _ := readProcs(d)
		for _, p := range pids {
			if p > 0 && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// signalCgroup sends sig to every process in the container's cgroups; it reports
// whether there was any.
func (e *Engine) signalCgroup(id string, sig syscall.Signal) bool {
	pids := e.cgroupPids(id)
	for _, p := range pids {
		syscall.Kill(p, sig)
	}
	return len(pids) > 0
}

// stopUnknown is Stop of a container whose state cannot be read: sig to every process of
// its cgroups (thawed, if frozen), up to grace for them to go, then SIGKILL and up to
// 10 s more. Its exit status is unknown (zero). The shim, which waits for PID 1,
// records the exit in state.json when it can.
func (e *Engine) stopUnknown(id string, sig syscall.Signal, grace time.Duration) error {
	if !e.signalCgroup(id, sig) {
		return nil
	}
	if isFrozen(e.cgroupParent(), id) {
		if err := setFrozen(e.cgroupParent(), id, false); err != nil {
			return fmt.Errorf("stop container %q: %w", id, err)
		}
	}
	if e.cgroupEmptyWithin(id, grace) {
		return nil
	}
	e.signalCgroup(id, syscall.SIGKILL)
	if !e.cgroupEmptyWithin(id, 10*time.Second) {
		return fmt.Errorf("stop container %q: processes %v survive SIGKILL: %w", id, e.cgroupPids(id), ErrRunning)
	}
	return nil
}

// cgroupEmptyWithin polls the container's cgroups until they hold no process or d
// passes.
func (e *Engine) cgroupEmptyWithin(id string, d time.Duration) bool {
	for deadline := time.Now().Add(d); ; time.Sleep(10 * time.Millisecond) {
		if len(e.cgroupPids(id)) == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}
