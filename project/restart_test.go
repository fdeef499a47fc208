package project

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

func TestRestartPolicy(t *testing.T) {
	u := func(n uint64) *uint64 { return &n }
	deploy := func(cond string, max *uint64) *compose.DeployConfig {
		return &compose.DeployConfig{RestartPolicy: &compose.RestartPolicy{Condition: cond, MaxAttempts: max}}
	}
	tests := []struct {
		name    string
		restart string
		deploy  *compose.DeployConfig
		want    RestartPolicy
		wantErr string // substring; the error must wrap ErrInvalid
	}{
		{name: "absent", want: RestartPolicy{Name: RestartNo}},
		{name: "no", restart: "no", want: RestartPolicy{Name: RestartNo}},
		{name: "always", restart: "always", want: RestartPolicy{Name: RestartAlways}},
		{name: "unless-stopped", restart: "unless-stopped", want: RestartPolicy{Name: RestartUnlessStopped}},
		{name: "on-failure", restart: "on-failure", want: RestartPolicy{Name: RestartOnFailure}},
		{name: "on-failure:3", restart: "on-failure:3", want: RestartPolicy{Name: RestartOnFailure, MaxRetries: 3}},
		{name: "on-failure:0", restart: "on-failure:0", want: RestartPolicy{Name: RestartOnFailure}},
		{name: "unknown", restart: "sometimes", wantErr: `services.web.restart: "sometimes": want no, always`},
		{name: "bad count", restart: "on-failure:x", wantErr: `maximum retry count "x" is not a number`},
		{name: "negative count", restart: "on-failure:-1", wantErr: `maximum retry count "-1"`},
		{name: "count with always", restart: "always:2", wantErr: "only allowed with on-failure"},
		// deploy.restart_policy, mapped as Compose maps it, wins over restart:.
		{name: "deploy any", restart: "no", deploy: deploy("any", nil), want: RestartPolicy{Name: RestartAlways}},
		{name: "deploy none", restart: "always", deploy: deploy("none", nil), want: RestartPolicy{Name: RestartNo}},
		{name: "deploy on-failure", deploy: deploy("on-failure", u(2)), want: RestartPolicy{Name: RestartOnFailure, MaxRetries: 2}},
		{name: "deploy no condition", deploy: deploy("", nil), want: RestartPolicy{Name: RestartNo}},
		{name: "deploy any zero attempts", deploy: deploy("any", u(0)), want: RestartPolicy{Name: RestartAlways}},
		{name: "deploy any attempts", deploy: deploy("any", u(3)), wantErr: "deploy.restart_policy.max_attempts: only allowed with condition on-failure"},
		{name: "deploy unknown", deploy: deploy("sometimes", nil), wantErr: `deploy.restart_policy.condition: "sometimes"`},
		{name: "deploy without policy", restart: "on-failure:1", deploy: &compose.DeployConfig{},
			want: RestartPolicy{Name: RestartOnFailure, MaxRetries: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := compose.ServiceConfig{Name: "web", Restart: tt.restart, Deploy: tt.deploy}
			got, err := restartPolicy(svc)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("restartPolicy(%q) = %v, %v; want an ErrInvalid containing %q", tt.restart, got, err, tt.wantErr)
				}
				if cerr := checkSupported(compose.ServiceConfig{Name: "web", Image: "x", Restart: tt.restart, Deploy: tt.deploy}); cerr == nil {
					t.Errorf("checkSupported accepts the invalid policy")
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("restartPolicy(%q) = %+v, %v; want %+v", tt.restart, got, err, tt.want)
			}
		})
	}
}

func TestShouldRestart(t *testing.T) {
	always := &RestartPolicy{Name: RestartAlways}
	unless := &RestartPolicy{Name: RestartUnlessStopped}
	onFailure2 := &RestartPolicy{Name: RestartOnFailure, MaxRetries: 2}
	onFailure := &RestartPolicy{Name: RestartOnFailure}
	no := &RestartPolicy{Name: RestartNo}
	tests := []struct {
		p           *RestartPolicy
		code, count int
		stopped     bool
		want        bool
	}{
		{always, 0, 0, false, true},
		{always, 1, 100, false, true},
		{always, 137, 0, true, false},
		{unless, 0, 5, false, true},
		{unless, 0, 0, true, false},
		{onFailure2, 1, 0, false, true},
		{onFailure2, 1, 1, false, true},
		{onFailure2, 1, 2, false, false},
		{onFailure2, 0, 0, false, false},
		{onFailure, 3, 1000, false, true},
		{onFailure, 3, 0, true, false},
		{no, 1, 0, false, false},
		{nil, 1, 0, false, false},
	}
	for _, tt := range tests {
		if got := tt.p.ShouldRestart(tt.code, tt.count, tt.stopped); got != tt.want {
			t.Errorf("%+v.ShouldRestart(code %d, count %d, stopped %v) = %v, want %v", tt.p, tt.code, tt.count, tt.stopped, got, tt.want)
		}
	}
	if (*RestartPolicy)(nil).Restarts() || no.Restarts() || !onFailure.Restarts() || !always.Restarts() {
		t.Errorf("restarts() is wrong for nil, no, on-failure or always")
	}
}

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

func TestRestartCounts(t *testing.T) {
	cfg := Config{Root: t.TempDir()}
	if got, err := cfg.RestartCounts("p"); err != nil || len(got) != 0 {
		t.Fatalf("RestartCounts of a project never up = %v, %v; want empty", got, err)
	}
	recs := map[string]restartRecord{"a": {Count: 2, LastStart: time.Now().UTC()}, "b": {}}
	if err := cfg.saveRestarts("p", recs); err == nil {
		t.Fatalf("saveRestarts without the project dir succeeded; want it never to create the dir")
	}
	if err := os.MkdirAll(mustPath(cfg.projectDir("p")), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := cfg.saveRestarts("p", recs); err != nil {
		t.Fatalf("saveRestarts: %v", err)
	}
	got, err := cfg.RestartCounts("p")
	if err != nil || len(got) != 1 || got["a"] != 2 {
		t.Errorf("RestartCounts = %v, %v; want map[a:2]", got, err)
	}
	back, err := cfg.loadRestarts("p")
	if err != nil || !back["a"].LastStart.Equal(recs["a"].LastStart) {
		t.Errorf("loadRestarts = %v, %v; want the saved start time %v", back, err, recs["a"].LastStart)
	}
}

func TestCountExit(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	end := start.Add(time.Second)
	run := engine.State{Status: engine.StatusExited, ExitCode: 1, StartedAt: start, FinishedAt: end}
	onFailure2 := &ContainerState{Restart: &RestartPolicy{Name: RestartOnFailure, MaxRetries: 2}}
	tests := []struct {
		name        string
		rec         restartRecord
		c           *ContainerState
		wantRec     restartRecord
		wantRestart bool
	}{
		{"first exit", restartRecord{}, onFailure2,
			restartRecord{Count: 1, CountedExit: end}, true},
		{"second restart of the supervisor's run", restartRecord{Count: 1, LastStart: start}, onFailure2,
			restartRecord{Count: 2, LastStart: start, CountedExit: end}, true},
		{"retries used up", restartRecord{Count: 2, LastStart: start}, onFailure2,
			restartRecord{Count: 2, LastStart: start}, false},
		{"adopted during the back-off of an exit counted already", restartRecord{Count: 2, LastStart: start, CountedExit: end}, onFailure2,
			restartRecord{Count: 2, LastStart: start, CountedExit: end}, true},
		{"a command started the run: count from 0", restartRecord{Count: 2, LastStart: start.Add(-time.Hour), CountedExit: end}, onFailure2,
			restartRecord{Count: 1, LastStart: start.Add(-time.Hour), CountedExit: end}, true},
		{"stopped by the user", restartRecord{Count: 1, LastStart: start},
			&ContainerState{Restart: &RestartPolicy{Name: RestartAlways}, StoppedByUser: true},
			restartRecord{Count: 1, LastStart: start}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, restart := countExit(tt.rec, run, tt.c)
			if !rec.CountedExit.Equal(tt.wantRec.CountedExit) || rec.Count != tt.wantRec.Count ||
				!rec.LastStart.Equal(tt.wantRec.LastStart) || restart != tt.wantRestart {
				t.Errorf("countExit(%+v) = %+v, %v; want %+v, %v", tt.rec, rec, restart, tt.wantRec, tt.wantRestart)
			}
		})
	}
}
