package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The cgroup freezer stops every process of a cgroup where it stands, without a signal
// the processes could see or handle:
//
//	v1: <root>/freezer/<parent>/<id>/freezer.state   write FROZEN or THAWED; reads
//	    FREEZING until every task stopped, then FROZEN
//	v2: <root>/<parent>/<id>/cgroup.freeze           write 1 or 0; cgroup.events
//	    says "frozen 1" once every task stopped
//
// A freeze can stay pending while a task sits in an uninterruptible kernel path (v1
// FREEZING, v2 "frozen 0"): Pause waits a bounded time, then thaws again and fails, so
// a container is never left half frozen.

// freezeTimeout bounds how long Pause waits for the kernel to report the cgroup frozen.
const freezeTimeout = 5 * time.Second

// Pause freezes every process of the running container and returns once the kernel
// reports the cgroup frozen; State then reports StatusPaused. Pausing a paused
// container is a no-op. It returns ErrNotRunning for a container that is not running
// and ErrNotFound for an unknown ID. Paused processes still hold their memory; they
// receive signals only once thawed (Stop and Kill with SIGKILL thaw them).
func (e *Engine) Pause(id string) error {
	st, err := e.State(id)
	if err != nil {
		return err
	}
	switch st.Status {
	case StatusPaused:
		return nil
	case StatusRunning:
	default:
		return fmt.Errorf("pause container %q: %w", id, ErrNotRunning)
	}
	if err := setFrozen(e.cgroupParentOf(id), id, true); err != nil {
		setFrozen(e.cgroupParentOf(id), id, false)
		return fmt.Errorf("pause container %q: %w", id, err)
	}
	return nil
}

// Unpause thaws a paused container. Unpausing a running container that is not paused
// is a no-op; it returns ErrNotRunning for a container that is not running and
// ErrNotFound for an unknown ID.
func (e *Engine) Unpause(id string) error {
	st, err := e.State(id)
	if err != nil {
		return err
	}
	switch st.Status {
	case StatusRunning:
		return nil
	case StatusPaused:
	default:
		return fmt.Errorf("unpause container %q: %w", id, ErrNotRunning)
	}
	if err := setFrozen(e.cgroupParentOf(id), id, false); err != nil {
		return fmt.Errorf("unpause container %q: %w", id, err)
	}
	return nil
}

// freezerFiles are the file to write (FROZEN/THAWED or 1/0) and the file whose content
// says whether the freeze or thaw completed, with the values of each.
type freezerFiles struct {
	control, status        string
	frozenVal, thawedVal   string
	frozenMark, thawedMark string // what the status file holds once done
}

func freezer(parent, id string) freezerFiles {
	if unified() {
		dir := filepath.Join(cgroupRoot, parent, id)
		return freezerFiles{control: filepath.Join(dir, "cgroup.freeze"), status: filepath.Join(dir, "cgroup.events"),
			frozenVal: "1", thawedVal: "0", frozenMark: "frozen 1", thawedMark: "frozen 0"}
	}
	dir := filepath.Join(cgroupRoot, "freezer", parent, id)
	f := filepath.Join(dir, "freezer.state")
	return freezerFiles{control: f, status: f, frozenVal: "FROZEN", thawedVal: "THAWED",
		frozenMark: "FROZEN", thawedMark: "THAWED"}
}

// setFrozen freezes or thaws the container's cgroup and waits until the kernel reports
// it done. On v1 the write is repeated while the state reads FREEZING, as runc does: a
// task forked during the freeze can make the first attempt miss it.
func setFrozen(parent, id string, frozen bool) error {
	ff := freezer(parent, id)
	val, mark := ff.thawedVal, ff.thawedMark
	if frozen {
		val, mark = ff.frozenVal, ff.frozenMark
	}
	deadline := time.Now().Add(freezeTimeout)
	for {
		if err := os.WriteFile(ff.control, []byte(val), 0); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("freezer cgroup %s: %w (was the container started before berth managed the freezer?)", ff.control, err)
			}
			return fmt.Errorf("freezer write %s=%s: %w", ff.control, val, err)
		}
		done, err := hasLine(ff.status, mark)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("freezer %s: not %s after %s: %w", ff.control, val, freezeTimeout, syscall.EBUSY)
		}
		time.Sleep(time.Millisecond)
	}
}

// isFrozen reports whether the container's cgroup is frozen (or being frozen). A missing
// freezer cgroup is not frozen.
func isFrozen(parent, id string) bool {
	ff := freezer(parent, id)
	b, err := readFile(ff.control)
	if err != nil {
		return false
	}
	return strings.TrimSpace(string(b)) != ff.thawedVal
}

// hasLine reports whether file has a line equal to want.
func hasLine(file, want string) (bool, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return false, fmt.Errorf("freezer state: %w", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) == want {
			return true, nil
		}
	}
	return false, nil
}
