package project

// This file is the restart policies: how a service's restart: and deploy.restart_policy
// become a container's policy, and how commands record user stops and starts;
// restart_supervisor.go is how the supervisor applies it, as Docker's restart manager does.
//
//	main process exits ──> stopped by a user (stop, kill, down, rm, recreate)? ── yes ──> stays exited
//	                        │ no
//	                        v
//	             policy says restart? (always, unless-stopped; on-failure: exit != 0
//	             and fewer than N restarts) ── no ──> stays exited
//	                        │ yes: count+1, back-off (100ms, doubling, at most 1m;
//	                        v        100ms again after a run of 10s or more)
//	             under the container's engine lock: still exited, same run, not
//	             stopped by a user meanwhile? ── yes ──> engine Start (same netns, IP,
//	                                                      writable layer; DNS records stay)
//
// The restart count is reset whenever a command (up, start, restart) starts the
// container, as Docker resets its restart manager on every start by a user. Commands
// record a user stop in the container's state (StoppedByUser) before they act, under the
// same engine lock the supervisor restarts under, so a restart never races a stop.
//
// Adoption: a supervisor that starts (after a crash, kill -9, or because nothing was
// running) watches every container of the project; one it finds exited, whose exit no
// supervisor handled, gets its policy applied then: `always`, `unless-stopped`, and
// `on-failure` with retries left start again. Containers a user stopped stay stopped,
// even `always` ones (Docker's daemon starts those again when it restarts; berth's
// supervisor is not a daemon, and restarts of it are crashes, not boots).
//
// Host reboots: berth installs no boot-time service, and the network namespaces, bridges
// and nftables rules under the runtime dir do not survive a reboot, so restart policies do
// not bring containers back after one. `berth down` then `berth up` recreates the project.

import (
	"errors"
	"syscall"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/eventlog"
)

// markUserStop records in state that a user stopped c (stopped true: before stop, kill,
// down, rm or a recreate act) or started it (false: before a command starts it). It
// holds c's engine lock while it writes, so a restart the supervisor has under way
// either completes first (and the stop then ends it) or sees the mark and gives up.
// Containers whose policy never restarts are left untouched.
func (r *run) markUserStop(c *ContainerState, stopped bool) error {
	r.mu.Lock()
	skip := !c.Restart.Restarts() || c.StoppedByUser == stopped
	r.mu.Unlock()
	if skip {
		return nil
	}
	unlock, err := r.eng.Lock(c.ID)
	if err != nil && !errors.Is(err, engine.ErrNotFound) {
		return err
	}
	if unlock != nil {
		defer unlock()
	}
	r.mu.Lock()
	c.StoppedByUser = stopped
	r.mu.Unlock()
	return r.save()
}

// markKilled records a kill by the user that is meant to end the container: SIGKILL or
// its stop signal. Other signals (SIGHUP to reload, ...) leave its policy in force, as
// Docker's restart manager does for `always`.
func (r *run) markKilled(c *ContainerState, sig syscall.Signal) error {
	stop := syscall.Signal(c.StopSignal)
	if stop == 0 {
		stop = syscall.SIGTERM
	}
	if sig != syscall.SIGKILL && sig != stop {
		return nil
	}
	return r.markUserStop(c, true)
}

// startEngine starts c's engine container under its engine lock, so that a command and
// the supervisor's restart policy never both start it; one the policy started meanwhile
// counts as started.
func (r *run) startEngine(c *ContainerState) error {
	unlock, err := r.eng.Lock(c.ID)
	if err != nil {
		return err
	}
	defer unlock()
	if st, err := r.eng.State(c.ID); err == nil && isLive(st.Status) {
		return nil
	}
	if err := r.eng.Start(c.ID); err != nil {
		return err
	}
	r.event(eventlog.Of(c, "start", nil))
	return nil
}
