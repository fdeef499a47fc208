package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/engine"
	"golang.org/x/sys/unix"
)

// A project's supervisor (supervisor.go) may be killed (kill -9, the OOM killer, a
// reboot of nothing but it): its containers keep running, but their DNS listeners,
// healthchecks and restart policies stop with it. Every command that reads or acts on
// a running project (all but down and ls) therefore brings it back first, as Docker's
// daemon would be there: restoreSupervisor. Its cost when the supervisor answers is one
// ping on the socket; when none answers, reading the containers' states (which ps does
// anyway) to see whether one is needed; only then a new supervisor is started, which
// adopts what the state records.

// restoreSupervisor starts the supervisor of project name again when none answers and
// st (the project's state, read by the caller without the project lock) has a container
// that needs it (needsSupervisor). It takes the project lock without waiting: a command
// holding it starts the supervisor itself (up, start, restart, run) or is bringing it
// back (every other one but down), or is down, which must not find a new one. A failure
// is printed as a warning on stderr: the calling command still does its job.
func (c Config) restoreSupervisor(name string, st *State) {
	if c.supervisorAlive(name) || !c.needsSupervisor(name, st) {
		return
	}
	unlock, ok, err := c.tryLockProject(name)
	if err != nil {
		warnRestore(name, err)
	}
	if !ok {
		return
	}
	defer unlock()
	st, err = c.LoadState(name) // again under the lock: a down may have run meanwhile
	if err != nil {
		if !isNotFound(err) {
			warnRestore(name, err)
		}
		return
	}
	c.restoreSupervisorLocked(name, st)
}

// restoreSupervisorLocked is restoreSupervisor for a command holding the project lock.
func (c Config) restoreSupervisorLocked(name string, st *State) {
	if c.supervisorAlive(name) || !c.needsSupervisor(name, st) {
		return
	}
	if _, err := c.ensureSupervisor(name); err != nil {
		warnRestore(name, err)
	}
}

func warnRestore(name string, err error) {
	fmt.Fprintf(os.Stderr, "berth: warning: project %q has no supervisor (DNS, healthchecks and restart policies stopped): %v\n", name, err)
}

// needsSupervisor reports whether a container of st runs (or is paused): its DNS
// records, healthchecks and restart policy are the supervisor's; or exited while its
// restart policy would start it again (it died while no supervisor ran). A project
// whose containers were all stopped by the user needs none.
func (c Config) needsSupervisor(name string, st *State) bool {
	eng := c.engine()
	var recs map[string]restartRecord
	for _, ct := range st.Containers {
		es, err := eng.State(ct.ID)
		if err != nil {
			continue
		}
		if isLive(es.Status) {
			return true
		}
		if es.Status != engine.StatusExited || !ct.Restart.restarts() || ct.StoppedByUser {
			continue
		}
		if recs == nil {
			recs, _ = c.loadRestarts(name) // unreadable: counted from 0, as the supervisor does
		}
		count := 0
		if rec := recs[ct.ID]; rec.LastStart.Equal(es.StartedAt) {
			count = rec.Count // the supervisor started this run: its restarts count
		}
		if ct.Restart.shouldRestart(es.ExitCode, count, ct.StoppedByUser) {
			return true
		}
	}
	return false
}

// tryLockProject takes the project lock if nobody holds it; ok is false when another
// command does, or when the project's dir is gone (it creates nothing).
func (c Config) tryLockProject(name string) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(filepath.Join(c.projectDir(name), "lock"), os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("lock project %q: %w", name, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("lock project %q: %w", name, err)
	}
	return func() { f.Close() }, true, nil
}
