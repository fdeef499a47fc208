package engine

import (
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

func logText(t *testing.T, e *Engine, id string) string {
	t.Helper()
	var out strings.Builder
	if err := e.Logs(id, LogOptions{}, func(le LogEntry) error { out.WriteString(le.Log); return nil }); err != nil {
		t.Fatalf("Logs: %v", err)
	}
	return out.String()
}

func TestStartExitedAgain(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{busyboxLayer(t)},
		Cmd: []string{"sh", "-c", "echo run >> /tmp/runs; cat /tmp/runs | wc -l; exit 4"}}
	if err := e.Create(spec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	for i := 1; i <= 2; i++ {
		if err := e.Start(spec.ID); err != nil {
			t.Fatalf("Start #%d: %v", i, err)
		}
		if es, err := e.Wait(spec.ID); err != nil || es.ExitCode != 4 {
			t.Fatalf("Wait #%d = %+v, %v; want exit 4", i, es, err)
		}
	}
	// The second run saw the first run's file: the writable layer was kept.
	if got := logText(t, e, spec.ID); got != "1\n2\n" {
		t.Errorf("log after two starts = %q, want %q", got, "1\n2\n")
	}
	if err := e.Remove(spec.ID, false); err != nil {
		t.Errorf("Remove: %v", err)
	}
}

func TestStartRunningRefused(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"sleep", "60"}}
	if err := e.Create(spec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := e.Start(spec.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := e.Start(spec.ID); !errors.Is(err, ErrInvalid) {
		t.Errorf("Start of a running container = %v, want ErrInvalid", err)
	}
	if _, err := e.Stop(spec.ID, syscall.SIGKILL, time.Second); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

// TestPauseUnpause checks that a paused container makes no progress, is reported
// paused, refuses exec, and that Stop of a paused container works.
func TestPauseUnpause(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{busyboxLayer(t)},
		Cmd: []string{"sh", "-c", "trap 'exit 9' TERM; while true; do echo tick; sleep 0.02; done"}}
	if err := e.Create(spec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := e.Pause(spec.ID); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Pause of a created container = %v, want ErrNotRunning", err)
	}
	if err := e.Start(spec.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	if err := e.Pause(spec.ID); err != nil {
		t.Fatalf("Pause: %v", err)
	}
	if err := e.Pause(spec.ID); err != nil {
		t.Errorf("second Pause = %v, want nil", err)
	}
	if st, err := e.State(spec.ID); err != nil || st.Status != StatusPaused {
		t.Errorf("State after Pause = %v, %v; want paused", st.Status, err)
	}
	if _, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"true"}}); !errors.Is(err, ErrPaused) {
		t.Errorf("Exec in a paused container = %v, want ErrPaused", err)
	}
	time.Sleep(50 * time.Millisecond) // a tick already past the freeze may still be logged
	before := strings.Count(logText(t, e, spec.ID), "tick")
	time.Sleep(300 * time.Millisecond)
	if after := strings.Count(logText(t, e, spec.ID), "tick"); after != before {
		t.Errorf("ticks while paused went from %d to %d", before, after)
	}
	if err := e.Unpause(spec.ID); err != nil {
		t.Fatalf("Unpause: %v", err)
	}
	if st, _ := e.State(spec.ID); st.Status != StatusRunning {
		t.Errorf("State after Unpause = %v, want running", st.Status)
	}
	time.Sleep(200 * time.Millisecond)
	if after := strings.Count(logText(t, e, spec.ID), "tick"); after <= before {
		t.Errorf("ticks after unpause = %d, want more than %d", after, before)
	}
	if err := e.Pause(spec.ID); err != nil {
		t.Fatalf("Pause again: %v", err)
	}
	es, err := e.Stop(spec.ID, syscall.SIGTERM, 5*time.Second)
	if err != nil || es.ExitCode != 9 {
		t.Errorf("Stop of a paused container = %+v, %v; want exit 9 from its TERM trap", es, err)
	}
	if err := e.Unpause(spec.ID); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Unpause of an exited container = %v, want ErrNotRunning", err)
	}
	// Start again after a stop while paused: the cgroup must not still be frozen.
	if err := e.Start(spec.ID); err != nil {
		t.Fatalf("Start after stop: %v", err)
	}
	if st, _ := e.State(spec.ID); st.Status != StatusRunning {
		t.Errorf("State after restart = %v, want running", st.Status)
	}
	procs, err := e.Processes(spec.ID)
	if err != nil || len(procs) == 0 {
		t.Fatalf("Processes = %v, %v; want the shell", procs, err)
	}
	if st, _ := e.State(spec.ID); procs[0].PID != st.Pid || len(procs[0].Cmd) == 0 || procs[0].Cmd[0] != "sh" {
		t.Errorf("Processes[0] = %+v, want init (pid %d, sh)", procs[0], st.Pid)
	}
	if err := e.Remove(spec.ID, true); err != nil {
		t.Errorf("Remove: %v", err)
	}
}

func TestParseStat(t *testing.T) {
	boot := time.Unix(1000, 0)
	tests := []struct {
		in      string
		want    Process
		wantErr bool
	}{
		{"42 (sleep) S 7 42 42 34816 42 4194560 100 0 0 0 150 50 0 0 20 0 1 0 500 1000 100 0",
			Process{PID: 42, PPID: 7, Comm: "sleep", TTY: 34816, CPUTime: 2 * time.Second, Started: time.Unix(1005, 0)}, false},
		{"9 (a b) c)) R 1 9 9 0 -1 0 0 0 0 0 1 0 0 0 20 0 1 0 100 0 0 0",
			Process{PID: 9, PPID: 1, Comm: "a b) c)", CPUTime: 10 * time.Millisecond, Started: time.Unix(1001, 0)}, false},
		{"9 (x) R 1 2", Process{}, true},
		{"garbage", Process{}, true},
	}
	for _, tt := range tests {
		got, err := parseStat([]byte(tt.in), boot)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseStat(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && (got.PID != tt.want.PID || got.PPID != tt.want.PPID || got.Comm != tt.want.Comm ||
			got.TTY != tt.want.TTY || got.CPUTime != tt.want.CPUTime || !got.Started.Equal(tt.want.Started)) {
			t.Errorf("parseStat(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
