package supervisor

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
)

// fakeEngine knows the states of containers and counts execs (probes, which succeed);
// the supervisor's other calls are not made by these tests.
type fakeEngine struct {
	mu     sync.Mutex
	states map[string]engine.State
	execs  atomic.Int32
}

var _ Engine = (*fakeEngine)(nil)

func (f *fakeEngine) State(id string) (engine.State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if st, ok := f.states[id]; ok {
		return st, nil
	}
	return engine.State{}, engine.ErrNotFound
}
func (f *fakeEngine) Exec(string, engine.ExecSpec) (int, error) { f.execs.Add(1); return 0, nil }
func (f *fakeEngine) Lock(string) (func(), error)               { return func() {}, nil }
func (f *fakeEngine) Start(string) error                        { return nil }
func (f *fakeEngine) Wait(string) (engine.ExitStatus, error)    { return engine.ExitStatus{}, nil }
func (f *fakeEngine) start(id string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states[id] = engine.State{ID: id, Status: engine.StatusRunning, StartedAt: at}
}

// TestHealthBelongsToItsRun: a container started again since its health was measured
// (its check loop still waiting out the interval) is reported starting, as Docker
// resets the health on every start; one still on the measured run keeps its health.
func TestHealthBelongsToItsRun(t *testing.T) {
	first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	eng := &fakeEngine{states: map[string]engine.State{}}
	eng.start("same", first)
	eng.start("again", first)
	s := &supervisor{eng: eng, checks: map[string]context.CancelFunc{"same": nil, "again": nil, "gone": nil},
		health: map[string]string{}, runs: map[string]time.Time{}}
	for _, id := range []string{"same", "again", "gone"} {
		s.setHealth(id, state.HealthHealthy, first)
	}
	eng.start("again", first.Add(time.Minute))
	got := s.currentHealth()
	want := map[string]string{"same": state.HealthHealthy, "again": state.HealthStarting, "gone": state.HealthHealthy}
	for id, h := range want {
		if got[id] != h {
			t.Errorf("health of %s = %q, want %q (all: %v)", id, got[id], h, got)
		}
	}
}

// TestFirstProbeAfterInterval: as Docker's health monitor, a run is first probed one
// interval after it began, not at once; it stays starting until then.
func TestFirstProbeAfterInterval(t *testing.T) {
	eng := &fakeEngine{states: map[string]engine.State{}}
	eng.start("c", time.Now())
	s := &supervisor{eng: eng, checks: map[string]context.CancelFunc{"c": nil},
		health: map[string]string{}, runs: map[string]time.Time{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		s.runChecks(ctx, "c", state.HealthSpec{Test: []string{"CMD", "true"}, Interval: 400 * time.Millisecond, Timeout: time.Second, Retries: 3})
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	time.Sleep(200 * time.Millisecond)
	if n, h := eng.execs.Load(), s.currentHealth()["c"]; n != 0 || h != state.HealthStarting {
		t.Errorf("before the interval: %d probes, health %q; want 0 and starting", n, h)
	}
	time.Sleep(400 * time.Millisecond)
	if n, h := eng.execs.Load(), s.currentHealth()["c"]; n != 1 || h != state.HealthHealthy {
		t.Errorf("after one interval: %d probes, health %q; want 1 and healthy", n, h)
	}
}

// TestNewRunProbedOnItsSchedule: a run begun while the check loop waits out the long
// interval of the previous run (stop and start) is first probed one start interval
// after it began, as Docker restarts its monitor on every start.
func TestNewRunProbedOnItsSchedule(t *testing.T) {
	eng := &fakeEngine{states: map[string]engine.State{}}
	eng.start("c", time.Now())
	s := &supervisor{eng: eng, checks: map[string]context.CancelFunc{"c": nil},
		health: map[string]string{}, runs: map[string]time.Time{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		s.runChecks(ctx, "c", state.HealthSpec{Test: []string{"CMD", "true"}, Interval: time.Minute, Timeout: time.Second,
			StartPeriod: 30 * time.Second, StartInterval: 100 * time.Millisecond, Retries: 3})
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	time.Sleep(300 * time.Millisecond)
	if n := eng.execs.Load(); n != 1 {
		t.Fatalf("first run: %d probes, want 1", n)
	}
	eng.start("c", time.Now())
	time.Sleep(time.Second)
	if n, h := eng.execs.Load(), s.currentHealth()["c"]; n != 2 || h != state.HealthHealthy {
		t.Errorf("a second after the new run began: %d probes, health %q; want 2 and healthy", n, h)
	}
}
