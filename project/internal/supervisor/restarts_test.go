package supervisor

import (
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
)

func TestNextRestartDelay(t *testing.T) {
	var got []time.Duration
	d := time.Duration(0)
	for range 12 {
		d = nextRestartDelay(d, time.Second)
		got = append(got, d)
	}
	ms := time.Millisecond
	want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 6400 * ms,
		12800 * ms, 25600 * ms, 51200 * ms, time.Minute, time.Minute}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("back-off sequence = %v, want %v", got, want)
		}
	}
	if d := nextRestartDelay(time.Minute, 10*time.Second); d != 100*ms {
		t.Errorf("nextRestartDelay after a 10s run = %v, want 100ms", d)
	}
	if d := nextRestartDelay(400*ms, 9*time.Second); d != 800*ms {
		t.Errorf("nextRestartDelay after a 9s run = %v, want 800ms", d)
	}
}

func TestRanFor(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := ranFor(engine.State{StartedAt: start, FinishedAt: start.Add(3 * time.Second)}); got != 3*time.Second {
		t.Errorf("ranFor(3s run) = %v", got)
	}
	if got := ranFor(engine.State{StartedAt: start}); got != 0 {
		t.Errorf("ranFor(run without end) = %v, want 0", got)
	}
}

func TestCountExit(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	end := start.Add(time.Second)
	run := engine.State{Status: engine.StatusExited, ExitCode: 1, StartedAt: start, FinishedAt: end}
	onFailure2 := &state.ContainerState{Restart: &state.RestartPolicy{Name: state.RestartOnFailure, MaxRetries: 2}}
	tests := []struct {
		name        string
		rec         state.RestartRecord
		c           *state.ContainerState
		wantRec     state.RestartRecord
		wantRestart bool
	}{
		{"first exit", state.RestartRecord{}, onFailure2,
			state.RestartRecord{Count: 1, CountedExit: end}, true},
		{"second restart of the supervisor's run", state.RestartRecord{Count: 1, LastStart: start}, onFailure2,
			state.RestartRecord{Count: 2, LastStart: start, CountedExit: end}, true},
		{"retries used up", state.RestartRecord{Count: 2, LastStart: start}, onFailure2,
			state.RestartRecord{Count: 2, LastStart: start}, false},
		{"adopted during the back-off of an exit counted already", state.RestartRecord{Count: 2, LastStart: start, CountedExit: end}, onFailure2,
			state.RestartRecord{Count: 2, LastStart: start, CountedExit: end}, true},
		{"a command started the run: count from 0", state.RestartRecord{Count: 2, LastStart: start.Add(-time.Hour), CountedExit: end}, onFailure2,
			state.RestartRecord{Count: 1, LastStart: start.Add(-time.Hour), CountedExit: end}, true},
		{"stopped by the user", state.RestartRecord{Count: 1, LastStart: start},
			&state.ContainerState{Restart: &state.RestartPolicy{Name: state.RestartAlways}, StoppedByUser: true},
			state.RestartRecord{Count: 1, LastStart: start}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, restart := CountExit(tt.rec, run, tt.c)
			if !rec.CountedExit.Equal(tt.wantRec.CountedExit) || rec.Count != tt.wantRec.Count ||
				!rec.LastStart.Equal(tt.wantRec.LastStart) || restart != tt.wantRestart {
				t.Errorf("CountExit(%+v) = %+v, %v; want %+v, %v", tt.rec, rec, restart, tt.wantRec, tt.wantRestart)
			}
		})
	}
}
