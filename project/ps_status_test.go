package project

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

func TestCheckStatuses(t *testing.T) {
	if err := checkStatuses([]string{"running", "exited", "restarting"}); err != nil {
		t.Errorf("checkStatuses(valid) = %v, want nil", err)
	}
	if err := checkStatuses([]string{"running", "up"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("checkStatuses(up) = %v, want ErrInvalid", err)
	}
	if !matchStatus("exited", nil) || !matchStatus("exited", []string{"running", "exited"}) || matchStatus("running", []string{"exited"}) {
		t.Errorf("matchStatus does not keep exactly the wanted states")
	}
}

// fakeSupervisor answers every request on the project's socket, as a running supervisor does.
func fakeSupervisor(t *testing.T, cfg Config, name string) {
	t.Helper()
	if err := os.MkdirAll(mustPath(cfg.runDir(name)), 0o700); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", mustPath(cfg.socketPath(name)))
	if err != nil {
		t.Fatal(err)
	}
	go serveRequests(ln, func(string) ([]byte, error) { return nil, nil })
	t.Cleanup(func() { ln.Close() })
}

func TestRestartView(t *testing.T) {
	cfg := Config{Root: t.TempDir(), RuntimeDir: t.TempDir()}
	if err := os.MkdirAll(mustPath(cfg.projectDir("p")), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := cfg.saveRestarts("p", map[string]restartRecord{"a": {Count: 2}, "b": {Count: 3}}); err != nil {
		t.Fatal(err)
	}
	exited := engine.State{Status: engine.StatusExited, ExitCode: 1, FinishedAt: time.Now()}
	always := &ContainerState{ID: "a", Restart: &RestartPolicy{Name: RestartAlways}}
	onFailure3 := &ContainerState{ID: "b", Restart: &RestartPolicy{Name: RestartOnFailure, MaxRetries: 3}}
	stopped := &ContainerState{ID: "a", Restart: &RestartPolicy{Name: RestartAlways}, StoppedByUser: true}
	never := &ContainerState{ID: "a", Restart: &RestartPolicy{Name: RestartNo}}

	if n, r := newRestartView(cfg, "p").of(always, exited); n != 2 || r {
		t.Errorf("without a supervisor: of(always, exited) = %d, %v; want 2, false", n, r)
	}
	fakeSupervisor(t, cfg, "p")
	tests := []struct {
		name  string
		c     *ContainerState
		es    engine.State
		count int
		want  bool
	}{
		{"always exited", always, exited, 2, true},
		{"always running", always, engine.State{Status: engine.StatusRunning}, 2, false},
		{"on-failure retries used up", onFailure3, exited, 3, false},
		{"stopped by user", stopped, exited, 2, false},
		{"policy no", never, exited, 0, false},
	}
	for _, tt := range tests {
		if n, r := newRestartView(cfg, "p").of(tt.c, tt.es); n != tt.count || r != tt.want {
			t.Errorf("%s: of = %d, %v; want %d, %v", tt.name, n, r, tt.count, tt.want)
		}
	}
}

func TestCreatedSince(t *testing.T) {
	tests := []struct {
		ago  time.Duration
		want string
	}{
		{0, "Less than a second ago"},
		{5 * time.Second, "5 seconds ago"},
		{70 * time.Second, "About a minute ago"},
		{3 * time.Hour, "3 hours ago"},
		{15 * 24 * time.Hour, "2 weeks ago"},
	}
	for _, tt := range tests {
		s := ContainerSummary{Created: time.Now().Add(-tt.ago).Unix()}
		if got := s.CreatedSince(); got != tt.want {
			t.Errorf("CreatedSince(%v ago) = %q, want %q", tt.ago, got, tt.want)
		}
	}
}
