package supervisor

// The supervisor's side of restart policies (see restart.go): one watcher per container
// whose policy restarts, and the restart counts in projects/<name>/restarts.json.

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/eventlog"
	"github.com/berth-dev/berth/project/internal/plan"
	"github.com/berth-dev/berth/project/internal/state"
)

// ranFor is how long a run lasted; 0 when its end is unknown (its monitor was killed).
func ranFor(st engine.State) time.Duration {
	if st.FinishedAt.Before(st.StartedAt) {
		return 0
	}
	return st.FinishedAt.Sub(st.StartedAt)
}

// CountExit applies c's policy to the run that ended, given the container's record:
// it returns the record with this exit counted when the policy restarts it, and
// whether it does. A run a command started (not the supervisor's last) counts from 0.
func CountExit(rec state.RestartRecord, run engine.State, c *state.ContainerState) (state.RestartRecord, bool) {
	if !run.StartedAt.Equal(rec.LastStart) {
		rec = state.RestartRecord{LastStart: rec.LastStart}
	}
	prior := rec.Count
	if !run.FinishedAt.IsZero() && rec.CountedExit.Equal(run.FinishedAt) && prior > 0 {
		prior-- // counted already, by a supervisor killed during the back-off
	}
	if !c.Restart.ShouldRestart(run.ExitCode, prior, c.StoppedByUser) {
		return rec, false
	}
	rec.Count, rec.CountedExit = prior+1, run.FinishedAt
	return rec, true
}

// restarter is the supervisor's restart-policy state: one watcher goroutine per
// container whose policy restarts, and the records kept in restarts.json.
type restarter struct {
	mu      sync.Mutex
	watches map[string]context.CancelFunc
	records map[string]state.RestartRecord
	closed  bool
	wg      sync.WaitGroup
}

// syncRestarts starts a watcher for every new container whose policy restarts (on the
// first sync: every such container of the project, which is how a new supervisor adopts
// them) and stops those of containers no longer recorded. s.mu is held.
func (s *supervisor) syncRestarts(st *state.State) {
	if s.restarts == nil {
		recs, err := s.paths.LoadRestarts(s.name)
		if err != nil {
			log.Printf("restart policies: %v (counting from 0)", err)
		}
		s.restarts = &restarter{watches: map[string]context.CancelFunc{}, records: recs}
	}
	rs := s.restarts
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed {
		return
	}
	live := map[string]bool{}
	for _, c := range st.Containers {
		if !c.Restart.Restarts() {
			continue
		}
		live[c.ID] = true
		if rs.watches[c.ID] != nil {
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		rs.watches[c.ID] = cancel
		rs.wg.Add(1)
		go func() {
			defer rs.wg.Done()
			s.watchRestarts(ctx, c.ID)
		}()
	}
	for id, cancel := range rs.watches {
		if !live[id] {
			cancel()
			delete(rs.watches, id)
		}
	}
}

// stopRestarts stops every watcher and waits until none is starting a container, so
// that Down, which asks the supervisor to exit first, finds no restart under way. No
// watcher starts after it. Safe to call more than once.
func (s *supervisor) stopRestarts() {
	s.mu.Lock()
	if s.restarts == nil {
		s.restarts = &restarter{watches: map[string]context.CancelFunc{}, records: map[string]state.RestartRecord{}}
	}
	rs := s.restarts
	s.mu.Unlock()
	rs.mu.Lock()
	rs.closed = true
	for id, cancel := range rs.watches {
		cancel()
		delete(rs.watches, id)
	}
	rs.mu.Unlock()
	rs.wg.Wait()
}

func (rs *restarter) record(id string) state.RestartRecord {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.records[id]
}

// setRecord keeps rec for id and writes the records of watched containers, logging a
// failure to write: the restart itself goes on. Once the watchers are stopped nothing
// is written: no restart happens any more, and the records of the others must stay.
func (s *supervisor) setRecord(id string, rec state.RestartRecord) {
	rs := s.restarts
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if old, ok := rs.records[id]; rs.closed || (ok && old == rec) {
		return
	}
	rs.records[id] = rec
	for k := range rs.records {
		if rs.watches[k] == nil && k != id {
			delete(rs.records, k)
		}
	}
	if err := s.paths.SaveRestarts(s.name, rs.records); err != nil {
		log.Printf("restart policies: %v", err)
	}
}

// watchRestarts follows one container until ctx ends (sync ends it once the container
// is no longer recorded): it waits for each run to end and applies the policy to each
// exit once. A container recorded but not yet made by the engine (commands record it
// first) is polled for, like one that is not running.
func (s *supervisor) watchRestarts(ctx context.Context, id string) {
	var handled time.Time // StartedAt of the last run whose exit was dealt with
	var delay time.Duration
	for ctx.Err() == nil {
		st, err := s.eng.State(id)
		switch {
		case errors.Is(err, engine.ErrNotFound):
		case err != nil:
			log.Printf("restart policies: %v", err)
		case plan.IsLive(st.Status):
			s.waitExit(ctx, id)
			continue
		case st.Status == engine.StatusExited && !st.StartedAt.Equal(handled):
			handled = st.StartedAt
			if err := s.handleExit(ctx, id, st, &delay); err != nil {
				log.Printf("restart policies: %v", err)
			}
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(restartPoll):
		}
	}
}

// waitExit returns when the container's run ends or ctx does.
func (s *supervisor) waitExit(ctx context.Context, id string) {
	done := make(chan struct{})
	go func() {
		s.eng.Wait(id) // an error (removed, never started) ends the wait too
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// handleExit applies the policy to the run that ended: it counts and waits out the
// back-off, then restarts the container. delay is the container's current back-off.
func (s *supervisor) handleExit(ctx context.Context, id string, run engine.State, delay *time.Duration) error {
	c, err := s.recordedContainer(id)
	if err != nil {
		return ignoreNotFound(err)
	}
	rec := s.restarts.record(id)
	if !run.StartedAt.Equal(rec.LastStart) {
		*delay = 0 // a command started this run
	}
	*delay = nextRestartDelay(*delay, ranFor(run))
	rec, restart := CountExit(rec, run, c)
	s.setRecord(id, rec)
	if !restart {
		return nil
	}
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(*delay):
	}
	return s.restartContainer(ctx, id, run.StartedAt)
}

// restartContainer starts the container again unless, since its run that began at run
// ended, a user stopped it, a command started it, or the supervisor is shutting down.
// It holds the container's engine lock, which commands take to start it or to record a
// stop, so none of them interleaves.
func (s *supervisor) restartContainer(ctx context.Context, id string, run time.Time) error {
	unlock, err := s.eng.Lock(id)
	if err != nil {
		return ignoreNotFound(err)
	}
	defer unlock()
	c, err := s.recordedContainer(id)
	if err != nil {
		return ignoreNotFound(err)
	}
	st, err := s.eng.State(id)
	if err != nil {
		return ignoreNotFound(err)
	}
	if ctx.Err() != nil || c.StoppedByUser || st.Status != engine.StatusExited || !st.StartedAt.Equal(run) {
		return nil
	}
	if err := s.eng.Start(id); err != nil {
		// As Docker: a restart that fails to start ends the policy until a command starts it.
		return fmt.Errorf("restart %s: %w", state.Describe(c), err)
	}
	s.record(eventlog.Of(c, "start", nil))
	st, err = s.eng.State(id)
	if err != nil {
		return ignoreNotFound(err)
	}
	rec := s.restarts.record(id)
	rec.LastStart = st.StartedAt
	s.setRecord(id, rec)
	return nil
}

// recordedContainer reads the container's current record from state.json; state.ErrNotFound
// once it (or the project) is gone.
func (s *supervisor) recordedContainer(id string) (*state.ContainerState, error) {
	st, err := s.paths.Load(s.name)
	if err != nil {
		return nil, err
	}
	if c := st.ContainerByID(id); c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("container %s of project %q: %w", id, s.name, state.ErrNotFound)
}

// ignoreNotFound is err, nil when it is a not-found (state.IsNotFound).
func ignoreNotFound(err error) error {
	if state.IsNotFound(err) {
		return nil
	}
	return err
}

// Docker's restart manager's back-off.
const (
	restartFirstDelay = 100 * time.Millisecond
	restartMaxDelay   = time.Minute
	restartResetAfter = 10 * time.Second // a run this long resets the back-off
	restartPoll       = 250 * time.Millisecond
)

// nextRestartDelay is the back-off before a restart, given the previous one (0: none
// yet) and how long the run that just ended lasted: 100ms, doubling with each restart in
// a row up to a minute, and 100ms again after a run of 10s or more.
func nextRestartDelay(prev, ran time.Duration) time.Duration {
	if prev == 0 || ran >= restartResetAfter {
		return restartFirstDelay
	}
	return min(2*prev, restartMaxDelay)
}
