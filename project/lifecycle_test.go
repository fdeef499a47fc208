package project

import (
	"errors"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

func TestParseSignalStrict(t *testing.T) {
	tests := []struct {
		in   string
		want syscall.Signal
		err  bool
	}{
		{"SIGKILL", syscall.SIGKILL, false},
		{"KILL", syscall.SIGKILL, false},
		{"term", syscall.SIGTERM, false},
		{"sigusr1", syscall.SIGUSR1, false},
		{"9", syscall.SIGKILL, false},
		{"64", syscall.Signal(64), false},
		{"0", 0, true},
		{"65", 0, true},
		{"SIGNOPE", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSignal(tt.in)
		if tt.err {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseSignal(%q) = %v, %v; want ErrInvalid", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestRestartDependents(t *testing.T) {
	dep := func(restart bool) compose.ServiceDependency { return compose.ServiceDependency{Restart: restart} }
	p := &compose.Project{Services: map[string]compose.ServiceConfig{
		"db":     {},
		"cache":  {},
		"api":    {DependsOn: map[string]compose.ServiceDependency{"db": dep(true), "cache": dep(false)}},
		"web":    {DependsOn: map[string]compose.ServiceDependency{"api": dep(true)}},
		"worker": {DependsOn: map[string]compose.ServiceDependency{"db": dep(false)}},
	}}
	tests := []struct {
		in, want []string
	}{
		{[]string{"db"}, []string{"api", "db", "web"}},
		{[]string{"cache"}, []string{"cache"}},
		{[]string{"api"}, []string{"api", "web"}},
		{[]string{"worker", "cache"}, []string{"cache", "worker"}},
	}
	for _, tt := range tests {
		if got := restartDependents(p, tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("restartDependents(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSelected(t *testing.T) {
	st := &State{Levels: [][]string{{"db"}, {"web"}}, Containers: []*ContainerState{
		{Name: "p-db-1", Service: "db", Number: 1}, {Name: "p-old-1", Service: "old", Number: 1}}}
	r := &run{st: st}
	got, err := r.selected(nil)
	if err != nil || len(got) != 3 || !got["old"] || !got["db"] || !got["web"] {
		t.Errorf("selected(nil) = %v, %v; want db, web and the orphan old", got, err)
	}
	if got, err := r.selected([]string{"web"}); err != nil || len(got) != 1 || !got["web"] {
		t.Errorf("selected([web]) = %v, %v; want web", got, err)
	}
	if _, err := r.selected([]string{"nope"}); !errors.Is(err, ErrNotFound) || err.Error() != "no such service: nope: not found" {
		t.Errorf("selected([nope]) = %v, want %q wrapping ErrNotFound", err, "no such service: nope: not found")
	}
	if err := r.checkHaveContainers(map[string]bool{"web": true}, true, "start"); !errors.Is(err, ErrNotFound) {
		t.Errorf("checkHaveContainers(web) = %v, want ErrNotFound", err)
	}
	if err := r.checkHaveContainers(map[string]bool{"web": true, "db": true}, false, "start"); err != nil {
		t.Errorf("checkHaveContainers(all) = %v, want nil", err)
	}
}

func TestSummarizeProject(t *testing.T) {
	st := &State{Name: "p", ConfigFiles: []string{"/a/compose.yaml", "/a/override.yaml"}}
	R, E, P, C := engine.StatusRunning, engine.StatusExited, engine.StatusPaused, engine.StatusCreated
	tests := []struct {
		statuses []engine.Status
		all      bool
		want     string
		shown    bool
	}{
		{[]engine.Status{R, R}, false, "running(2)", true},
		{[]engine.Status{R, E, R}, false, "running(2)", true},
		{[]engine.Status{R, E, R}, true, "exited(1), running(2)", true},
		{[]engine.Status{P, R}, false, "paused(1), running(1)", true},
		{[]engine.Status{E, C}, false, "", false},
		{[]engine.Status{E, C}, true, "created(1), exited(1)", true},
		{nil, true, "", false},
	}
	for _, tt := range tests {
		got, shown := summarizeProject(st, tt.statuses, tt.all)
		if shown != tt.shown || got.Status != tt.want {
			t.Errorf("summarizeProject(%v, all=%v) = %q, %v; want %q, %v", tt.statuses, tt.all, got.Status, shown, tt.want, tt.shown)
		}
		if shown && (got.Name != "p" || got.ConfigFiles != "/a/compose.yaml,/a/override.yaml") {
			t.Errorf("summarizeProject = %+v, want name p and both files comma-separated", got)
		}
	}
}

func TestPSColumns(t *testing.T) {
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.Local)
	starts := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2024, 6, 15, 9, 5, 0, 0, time.Local), "09:05"},
		{time.Date(2024, 6, 14, 23, 59, 0, 0, time.Local), "Jun14"},
		{time.Date(2023, 12, 31, 23, 0, 0, 0, time.Local), "2023"},
	}
	for _, tt := range starts {
		if got := startTime(tt.t, now); got != tt.want {
			t.Errorf("startTime(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
	times := []struct {
		d    time.Duration
		want string
	}{
		{0, "00:00:00"},
		{1500 * time.Millisecond, "00:00:01"},
		{3*time.Hour + 4*time.Minute + 5*time.Second, "03:04:05"},
		{50 * time.Hour, "2-02:00:00"},
	}
	for _, tt := range times {
		if got := cpuTime(tt.d); got != tt.want {
			t.Errorf("cpuTime(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	ttys := []struct {
		nr   uint64
		want string
	}{
		{0, "?"},
		{136<<8 | 3, "pts/3"},
		{137<<8 | 1, "pts/257"},
		{4<<8 | 1, "tty1"},
		{4<<8 | 65, "ttyS1"},
		{1<<8 | 3, "?"},
	}
	for _, tt := range ttys {
		if got := ttyName(tt.nr); got != tt.want {
			t.Errorf("ttyName(%#x) = %q, want %q", tt.nr, got, tt.want)
		}
	}
	p := engine.Process{PID: 10, PPID: 1, Started: now.Add(-10 * time.Second), CPUTime: 5 * time.Second, Comm: "kworker"}
	want := []string{"root", "10", "1", "50", "11:59", "?", "00:00:05", "[kworker]"}
	if got := psRow(p, now, "root"); !slices.Equal(got, want) {
		t.Errorf("psRow(%+v) = %q, want %q", p, got, want)
	}
	p.Cmd, p.CPUTime = []string{"sleep", "60"}, time.Hour
	if got := psRow(p, now, "root"); got[3] != "99" || got[7] != "sleep 60" {
		t.Errorf("psRow(busy sleep) C, CMD = %q, %q; want 99, %q", got[3], got[7], "sleep 60")
	}
}
