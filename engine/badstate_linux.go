package engine

import (
	"errors"
	"fmt"
	"strconv"
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
	for _, d := range cgroupDirs(e.cgroupParentOf(id), id) {
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
// 10 s more. It then waits (up to 5 s) for the container's shim, the parent of its
// PID 1, which records the exit in state.json when it can: the exit status comes from
// there, or is unknown (zero).
func (e *Engine) stopUnknown(id string, sig syscall.Signal, grace time.Duration) (ExitStatus, error) {
	pids := e.cgroupPids(id)
	if len(pids) == 0 {
		return ExitStatus{}, nil
	}
	monitor := monitorOf(pids)
	e.signalCgroup(id, sig)
	if isFrozen(e.cgroupParentOf(id), id) {
		if err := setFrozen(e.cgroupParentOf(id), id, false); err != nil {
			return ExitStatus{}, fmt.Errorf("stop container %q: %w", id, err)
		}
	}
	if !e.cgroupEmptyWithin(id, grace) {
		e.signalCgroup(id, syscall.SIGKILL)
		if !e.cgroupEmptyWithin(id, 10*time.Second) {
			return ExitStatus{}, fmt.Errorf("stop container %q: processes %v survive SIGKILL: %w", id, e.cgroupPids(id), ErrRunning)
		}
	}
	if monitor > 0 {
		waitPidExit(monitor, 5*time.Second)
	}
	if st, err := e.readState(id); err == nil && st.Status == StatusExited {
		return ExitStatus{ExitCode: st.ExitCode, OOMKilled: st.OOMKilled, Signal: st.Signal}, nil
	}
	return ExitStatus{}, nil
}

// monitorOf returns the shim of the container whose processes are pids: the parent of
// the one whose parent is not among them (PID 1), or 0.
func monitorOf(pids []int) int {
	in := map[int]bool{}
	for _, p := range pids {
		in[p] = true
	}
	for _, p := range pids {
		if pp := parentPid(p); pp > 1 && !in[pp] {
			return pp
		}
	}
	return 0
}

// parentPid reads pid's parent from /proc/<pid>/stat (parseStat), or 0.
func parentPid(pid int) int {
	b, err := readFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	p, err := parseStat(b, time.Time{})
	if err != nil {
		return 0
	}
	return p.PPID
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
