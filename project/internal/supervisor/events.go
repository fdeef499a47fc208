package supervisor

// The supervisor's side of the event log (project/internal/eventlog): the exits it sees
// (die, oom), the restarts of restart policies (start) and health changes
// (health_status). Commands record what they do themselves.

import (
	"context"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/eventlog"
	"github.com/berth-dev/berth/project/internal/plan"
)

// exitPoll is how often a watcher looks at a container that is not running for a new
// run that already ended.
const exitPoll = 500 * time.Millisecond

// exitWatches are the supervisor's exit watchers, one per recorded container.
type exitWatches struct {
	mu      sync.Mutex
	cancels map[string]context.CancelFunc
	closed  bool
	wg      sync.WaitGroup
}

// syncExitWatches starts a watcher for every recorded container that has none and
// stops those of containers no longer recorded. s.mu is held.
func (s *supervisor) syncExitWatches(ids []string) {
	w := &s.exits
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	if w.cancels == nil {
		w.cancels = map[string]context.CancelFunc{}
	}
	live := map[string]bool{}
	for _, id := range ids {
		live[id] = true
		if w.cancels[id] != nil {
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		w.cancels[id] = cancel
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			s.watchExits(ctx, id)
		}()
	}
	for id, cancel := range w.cancels {
		if !live[id] {
			cancel()
			delete(w.cancels, id)
		}
	}
}

// stopExitWatches stops every watcher and waits for them; none starts after it.
func (s *supervisor) stopExitWatches() {
	w := &s.exits
	w.mu.Lock()
	w.closed = true
	for id, cancel := range w.cancels {
		cancel()
		delete(w.cancels, id)
	}
	w.mu.Unlock()
	w.wg.Wait()
}

// watchExits records a die (and an oom) for each run of container id that ends while
// it watches. A run that had ended before it began is not its to report.
func (s *supervisor) watchExits(ctx context.Context, id string) {
	var reported time.Time // StartedAt of the last run whose end was seen
	for adopted := false; ctx.Err() == nil; adopted = true {
		st, err := s.eng.State(id)
		switch {
		case err == nil && plan.IsLive(st.Status):
			s.waitExit(ctx, id)
			continue
		case err == nil && st.Status == engine.StatusExited && !st.StartedAt.Equal(reported):
			reported = st.StartedAt
			if adopted && ctx.Err() == nil {
				s.recordExit(id, st)
			}
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(exitPoll):
		}
	}
}

func (s *supervisor) recordExit(id string, st engine.State) {
	c, err := s.recordedContainer(id)
	if err != nil {
		return // removed meanwhile: its command reports it
	}
	if st.OOMKilled {
		s.record(eventlog.Of(c, "oom", nil))
	}
	s.record(eventlog.Die(c, st.ExitCode, st.FinishedAt))
}

// recordAction records action on container id, as state.json describes it.
func (s *supervisor) recordAction(id, action string) {
	if c, err := s.recordedContainer(id); err == nil {
		s.record(eventlog.Of(c, action, nil))
	}
}

// record appends ev to the project's event log; one that cannot be written is lost.
func (s *supervisor) record(ev eventlog.Event) {
	_ = eventlog.Record(s.paths, s.name, ev)
}
