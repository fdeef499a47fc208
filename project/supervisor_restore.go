package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine"
	"golang.org/x/sys/unix"
)

// A project's supervisor (supervisor.go) may be killed (kill -9, the OOM killer, a
// crash): its containers keep running, but their DNS listeners, healthchecks and
// restart policies stop with it. Every command that reads or acts on
// a running project (all but down and ls) therefore brings it back first, as Docker's
// daemon would be there: restoreSupervisor. Its cost when the supervisor answers is one
// ping on the socket; when none answers, reading the containers' states (which ps does
// anyway) to see whether one is needed; only then a new supervisor is started, which
// adopts what the state records.
//
// Restart policies do not wait for a command: a container whose policy may restart it
// has an engine exit hook (exitHook): its shim, which sees every exit, runs `berth
// _restore NAME` once the exit is recorded unless a supervisor listens on the
// project's socket, and that brings one back (RestoreSupervisor), which restarts the
// container. DNS listeners and healthchecks of a project whose supervisor was killed
// wait for the next berth command or container exit.

// RestoreCommand is the hidden CLI command a container's shim runs after each exit of
// a container whose restart policy may start it again (its engine exit hook, see
// exitHook): `<exe> _restore <project>`. So a container that dies while no supervisor
// runs brings one back, which restarts it, with no berth command typed.
const RestoreCommand = "_restore"

// RestoreSupervisor starts the supervisor of project name when none answers and the
// project needs one (see restoreSupervisor); a project never brought up, or gone, is
// success. It is what RestoreCommand runs, after each exit of a container: it takes
// the project lock before it reads any state, so that while a command that holds it
// stops many containers (down, stop) each exit costs a ping and a flock.
func RestoreSupervisor(cfg Config, name string) error {
	if cfg.supervisorAlive(name) {
		return nil
	}
	unlock, ok, err := cfg.tryLockProject(name)
	if !ok {
		return err
	}
	defer unlock()
	st, err := cfg.LoadState(name)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	cfg.restoreSupervisorLocked(name, st)
	return nil
}

// exitHook is the engine exit hook (engine.Spec.ExitHook) of a container of project
// name with a restart policy: RestoreCommand, with the environment it needs (PATH and
// BERTH_* of this process, and c's configuration with absolute paths: the hook does
// not run in this working dir), nothing else of the caller's.
func (c Config) exitHook(name string) (argv, env []string, err error) {
	exe, err := c.executable()
	if err == nil {
		c.Root, err = filepath.Abs(c.Root)
	}
	if err == nil {
		c.RuntimeDir, err = filepath.Abs(c.RuntimeDir)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("exit hook of project %q: %w", name, err)
	}
	var inherited []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "BERTH_") {
			inherited = append(inherited, kv)
		}
	}
	return []string{exe, RestoreCommand, name}, lastWins(append(inherited, c.environ()...)), nil
}

// lastWins keeps the last value of each variable of env, as os/exec does (a program
// reading its environment may take the first), in the order of their first mention.
func lastWins(env []string) []string {
	at := map[string]int{}
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := at[k]; ok {
			out[i] = kv
			continue
		}
		at[k] = len(out)
		out = append(out, kv)
	}
	return out
}

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
		if es.Status != engine.StatusExited || !ct.Restart.Restarts() || ct.StoppedByUser {
			continue
		}
		if recs == nil {
			recs, _ = c.loadRestarts(name) // unreadable: counted from 0, as the supervisor does
		}
		if _, restart := countExit(recs[ct.ID], es, ct); restart {
			return true
		}
	}
	return false
}

// tryLockProject takes the project lock if nobody holds it; ok is false when another
// command does, or when the project's dir is gone (it creates nothing).
func (c Config) tryLockProject(name string) (unlock func(), ok bool, err error) {
	dir, err := c.projectDir(name)
	if err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR, 0)
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
