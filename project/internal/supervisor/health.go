package supervisor

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
)

// syncChecks starts a healthcheck loop for every new container with a healthcheck and
// stops those of containers no longer recorded. s.mu is held.
func (s *supervisor) syncChecks(st *state.State) {
	live := map[string]bool{}
	for _, c := range st.Containers {
		live[c.ID] = true
		if c.Health == nil || s.checks[c.ID] != nil {
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		s.checks[c.ID] = cancel
		s.health[c.ID] = state.HealthStarting
		go s.runChecks(ctx, c.ID, *c.Health)
	}
	for id, cancel := range s.checks {
		if !live[id] {
			cancel()
			delete(s.checks, id)
			delete(s.health, id)
			delete(s.runs, id)
		}
	}
}

func (s *supervisor) stopChecks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, cancel := range s.checks {
		cancel()
		delete(s.checks, id)
	}
}

// runChecks probes the container while it runs. As Docker's health monitor, the first
// probe of each run (a start, a restart) comes one interval after the run began (the
// start interval within the start period), then one interval after each probe ends.
// Each run begins as "starting": failures while starting within its start period do not
// count; Retries consecutive failures make it unhealthy, and one success healthy again.
// A running container is polled too (runningPoll), so that a run a command began while
// the loop waited out the previous run's interval is first probed on its own schedule.
// While the container is not running it is polled for a new run, as is one recorded in
// state but not created in the engine yet (a sync of another container of the same
// level can come first). The loop ends with ctx: syncChecks cancels it when the
// container leaves the state.
func (s *supervisor) runChecks(ctx context.Context, id string, h state.HealthSpec) {
	var run, next time.Time // StartedAt of the run being checked; when to probe it next
	failures := 0
	for {
		wait := notRunningPoll
		st, err := s.eng.State(id)
		if err == nil && st.Status == engine.StatusRunning {
			if !st.StartedAt.Equal(run) {
				run, failures = st.StartedAt, 0
				s.setHealth(id, state.HealthStarting, run)
				next = run.Add(probeInterval(h, 0, state.HealthStarting))
			}
			if !time.Now().Before(next) {
				s.probeOnce(id, h, run, &failures)
				s.mu.Lock()
				next = time.Now().Add(probeInterval(h, time.Since(run), s.health[id]))
				s.mu.Unlock()
			}
			wait = min(time.Until(next), runningPoll)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// probeOnce runs one probe of the container's run that began at run and records the
// health it leaves, counting consecutive failures in *failures. A probe the container
// did not live through (it stopped or was removed meanwhile) changes nothing.
func (s *supervisor) probeOnce(id string, h state.HealthSpec, run time.Time, failures *int) {
	began := time.Now()
	err := s.probe(id, h)
	if errors.Is(err, engine.ErrNotRunning) || errors.Is(err, engine.ErrNotFound) {
		return
	}
	s.mu.Lock()
	before := s.health[id]
	defer func() {
		after := s.health[id]
		s.mu.Unlock()
		if after != before && after != state.HealthStarting {
			s.recordAction(id, "health_status: "+after) // as Docker names the action
		}
	}()
	switch {
	case err == nil:
		*failures = 0
		s.health[id] = state.HealthHealthy
	case s.health[id] != state.HealthStarting || began.Sub(run) >= h.StartPeriod:
		if *failures++; *failures >= h.Retries {
			s.health[id] = state.HealthUnhealthy
		}
	}
}

// runningPoll is the longest a healthcheck loop waits before it looks again whether a
// running container began a new run.
const runningPoll = 500 * time.Millisecond

// notRunningPoll is how often a healthcheck loop looks for a new run of a container
// that is not running.
const notRunningPoll = 100 * time.Millisecond

// setHealth records the health of container id's run that started at run.
func (s *supervisor) setHealth(id, health string, run time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.checks[id]; ok {
		s.health[id], s.runs[id] = health, run
	}
}

// errProbeFailed is a healthcheck command that exited non-zero or timed out.
var errProbeFailed = errors.New("healthcheck failed")

func (s *supervisor) probe(id string, h state.HealthSpec) error {
	type result struct {
		code int
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		var out bytes.Buffer
		code, err := s.eng.Exec(id, engine.ExecSpec{Cmd: h.Argv(), Stdout: &out, Stderr: &out})
		ch <- result{code, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return r.err
		}
		if r.code != 0 {
			return errProbeFailed
		}
		return nil
	case <-time.After(h.Timeout):
		return errProbeFailed
	}
}
