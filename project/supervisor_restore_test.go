package project

import (
	"slices"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

func TestNeedsSupervisor(t *testing.T) {
	started := time.Now().Add(-time.Minute)
	exited := func(code int) engine.State {
		return engine.State{Status: engine.StatusExited, ExitCode: code, StartedAt: started, FinishedAt: time.Now()}
	}
	always := &RestartPolicy{Name: RestartAlways}
	onFailure2 := &RestartPolicy{Name: RestartOnFailure, MaxRetries: 2}
	tests := []struct {
		name    string
		restart *RestartPolicy
		stopped bool // StoppedByUser
		state   engine.State
		record  *restartRecord // restarts.json's record of the container
		want    bool
	}{
		{"running", nil, false, engine.State{Status: engine.StatusRunning, StartedAt: started}, nil, true},
		{"exited without policy", nil, false, exited(1), nil, false},
		{"exited, always", always, false, exited(0), nil, true},
		{"exited, always, stopped by the user", always, true, exited(0), nil, false},
		{"exited 0, on-failure", onFailure2, false, exited(0), nil, false},
		{"exited 1, on-failure:2, 1 restart", onFailure2, false, exited(1), &restartRecord{Count: 1, LastStart: started}, true},
		{"exited 1, on-failure:2, 2 restarts", onFailure2, false, exited(1), &restartRecord{Count: 2, LastStart: started}, false},
		{"exited 1, on-failure:2, 2 restarts before a start by a command", onFailure2, false, exited(1),
			&restartRecord{Count: 2, LastStart: started.Add(-time.Hour)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLogFixture(t)
			c := f.add("svc", 1, false)
			c.Restart, c.StoppedByUser = tt.restart, tt.stopped
			f.save()
			if tt.state.Status == engine.StatusRunning {
				tt.state.Pid, tt.state.MonitorPid = 1, 1 // alive
			}
			f.setStatus(c, tt.state)
			if tt.record != nil {
				if err := f.cfg.saveRestarts("p", map[string]restartRecord{c.ID: *tt.record}); err != nil {
					t.Fatal(err)
				}
			}
			if got := f.cfg.needsSupervisor("p", f.st); got != tt.want {
				t.Errorf("needsSupervisor = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTryLockProject(t *testing.T) {
	cfg := Config{Root: t.TempDir()}
	if _, ok, err := cfg.tryLockProject("p"); ok || err != nil {
		t.Fatalf("tryLockProject of a project never brought up = %v, %v; want false, nil", ok, err)
	}
	held, err := cfg.lockProject("p")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := cfg.tryLockProject("p"); ok || err != nil {
		t.Fatalf("tryLockProject while a command holds the lock = %v, %v; want false, nil", ok, err)
	}
	held()
	unlock, ok, err := cfg.tryLockProject("p")
	if !ok || err != nil {
		t.Fatalf("tryLockProject of a free lock = %v, %v; want true, nil", ok, err)
	}
	unlock()
}

func TestExitHook(t *testing.T) {
	t.Setenv("BERTH_DNS_UPSTREAMS", "127.0.0.1:1")
	t.Setenv("SECRET_TOKEN", "x")
	t.Chdir("/tmp")
	t.Setenv(EnvRoot, "/elsewhere") // --root wins over $BERTH_ROOT
	cfg := Config{Root: "r", RuntimeDir: "/run/r", Executable: "/usr/bin/berth"}
	argv, env, err := cfg.exitHook("p")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/usr/bin/berth", RestoreCommand, "p"}; !slices.Equal(argv, want) {
		t.Errorf("exitHook argv = %q, want %q", argv, want)
	}
	has := map[string]bool{}
	for _, kv := range env {
		has[kv] = true
	}
	for _, kv := range []string{"BERTH_DNS_UPSTREAMS=127.0.0.1:1", EnvRoot + "=/tmp/r", EnvRuntimeDir + "=/run/r"} {
		if !has[kv] {
			t.Errorf("exitHook env %q lacks %s", env, kv)
		}
	}
	if has[EnvRoot+"=/elsewhere"] {
		t.Errorf("exitHook env %q keeps $BERTH_ROOT beside the configured root", env)
	}
	if has["SECRET_TOKEN=x"] {
		t.Errorf("exitHook env %q passes the caller's other variables", env)
	}
}
