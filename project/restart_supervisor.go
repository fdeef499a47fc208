package project

// The supervisor's side of restart policies (see restart.go): one watcher per container
// whose policy restarts, and the restart counts in projects/<name>/restarts.json.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"
)

// ranFor is how long a run lasted; 0 when its end is unknown (its monitor was killed).
func ranFor(st engine.State) time.Duration {
	if st.FinishedAt.Before(st.StartedAt) {
		return 0
	}
	return st.FinishedAt.Sub(st.StartedAt)
}

// restartRecord is what the supervisor keeps about one container's restarts.
type restartRecord struct {
	// Count is the restarts since a command last started the container.
	Count int `json:"count"`
	// LastStart is the StartedAt of the run the supervisor started last: a run that
	// began at another time was started by a command.
	LastStart time.Time `json:"lastStart"`
	// CountedExit is the FinishedAt of the exit Count counted last: a supervisor that
	// adopts the container during that exit's back-off (its predecessor was killed)
	// does not count it again.
	CountedExit time.Time `json:"countedExit,omitzero"`
}

// countExit applies c's policy to the run that ended, given the container's record:
// it returns the record with this exit counted when the policy restarts it, and
// whether it does. A run a command started (not the supervisor's last) counts from 0.
func countExit(rec restartRecord, run engine.State, c *ContainerState) (restartRecord, bool) {
	if !run.StartedAt.Equal(rec.LastStart) {
		rec = restartRecord{LastStart: rec.LastStart}
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

// restartsPath is projects/<name>/restarts.json, written by the project's supervisor only
// (state.json belongs to the commands, which hold the project lock for a whole up).
func (c Config) restartsPath(name string) (string, error) {
	dir, err := c.projectDir(name)
	return filepath.Join(dir, "restarts.json"), err
}

func (c Config) loadRestarts(name string) (map[string]restartRecord, error) {
	recs := map[string]restartRecord{}
	p, err := c.restartsPath(name)
	if err != nil {
		return recs, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return recs, nil
	}
	if err != nil {
		return recs, fmt.Errorf("read restart counts of project %q: %w", name, err)
	}
	if err := json.Unmarshal(b, &recs); err != nil {
		return map[string]restartRecord{}, fmt.Errorf("read restart counts of project %q: %w", name, err)
	}
	return recs, nil
}

// RestartCounts returns, by container ID, how many times the supervisor restarted each
// container of project name since a command last started it (as `docker inspect`'s
// RestartCount); containers never restarted are absent. A project never brought up, or
// whose supervisor never restarted anything, yields an empty map.
func (c Config) RestartCounts(name string) (map[string]int, error) {
	recs, err := c.loadRestarts(name)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for id, r := range recs {
		if r.Count > 0 {
			out[id] = r.Count
		}
	}
	return out, nil
}

// saveRestarts writes recs atomically. It never creates the project dir: after Down
// removed it, the write fails rather than leave a dir behind.
func (c Config) saveRestarts(name string, recs map[string]restartRecord) error {
	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return fmt.Errorf("save restart counts of project %q: %w", name, err)
	}
	p, err := c.restartsPath(name)
	if err == nil {
		err = writeAtomic(p, b)
	}
	if err != nil {
		return fmt.Errorf("save restart counts of project %q: %w", name, err)
	}
	return nil
}

// restarter is the supervisor's restart-policy state: one watcher goroutine per
// container whose policy restarts, and the records kept in restarts.json.
type restarter struct {
	mu      sync.Mutex
	watches map[string]context.CancelFunc
	records map[string]restartRecord
	closed  bool
	wg      sync.WaitGroup
}

// syncRestarts starts a watcher for every new container whose policy restarts (on the
// first sync: every such container of the project, which is how a new supervisor adopts
// them) and stops those of containers no longer recorded. s.mu is held.
func (s *supervisor) syncRestarts(st *State) {
	if s.restarts == nil {
		recs, err := s.cfg.loadRestarts(s.name)
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
		s.restarts = &restarter{watches: map[string]context.CancelFunc{}, records: map[string]restartRecord{}}
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

func (rs *restarter) record(id string) restartRecord {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.records[id]
}

// setRecord keeps rec for id and writes the records of watched containers, logging a
// failure to write: the restart itself goes on. Once the watchers are stopped nothing
// is written: no restart happens any more, and the records of the others must stay.
func (s *supervisor) setRecord(id string, rec restartRecord) {
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
	if err := s.cfg.saveRestarts(s.name, rs.records); err != nil {
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
		case isLive(st.Status):
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
	rec, restart := countExit(rec, run, c)
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
		return fmt.Errorf("restart %s: %w", describe(c), err)
	}
	st, err = s.eng.State(id)
	if err != nil {
		return ignoreNotFound(err)
	}
	rec := s.restarts.record(id)
	rec.LastStart = st.StartedAt
	s.setRecord(id, rec)
	return nil
}

// recordedContainer reads the container's current record from state.json; ErrNotFound
// once it (or the project) is gone.
func (s *supervisor) recordedContainer(id string) (*ContainerState, error) {
	st, err := s.cfg.LoadState(s.name)
	if err != nil {
		return nil, err
	}
	if c := st.ContainerByID(id); c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("container %s of project %q: %w", id, s.name, ErrNotFound)
}

func ignoreNotFound(err error) error {
	if isNotFound(err) {
		return nil
	}
	return err
}
