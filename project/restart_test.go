package project

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/compose"
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
		wantErr string // substring of checkSupported's error, which must wrap compose.ErrInvalid
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
			svc := compose.ServiceConfig{Name: "web", Image: "x", Restart: tt.restart, Deploy: tt.deploy}
			err := checkSupported(&compose.Project{}, svc)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, compose.ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("checkSupported(%q) = %v; want an ErrInvalid containing %q", tt.restart, err, tt.wantErr)
				}
				return
			}
			if got := restartPolicy(svc); err != nil || got != tt.want {
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
