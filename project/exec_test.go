package project

import (
	"errors"
	"testing"

	"github.com/berth-dev/berth/engine"
	"github.com/google/go-cmp/cmp"
)

func TestExecTarget(t *testing.T) {
	oneoff := map[string]string{LabelOneoff: "True"}
	st := &State{Containers: []*ContainerState{
		{ID: "run", Name: "p-web-run-1", Service: "web", Labels: oneoff},
		{ID: "w2", Name: "p-web-2", Service: "web", Number: 2},
		{ID: "w1", Name: "p-web-1", Service: "web", Number: 1},
		{ID: "w3", Name: "p-web-3", Service: "web", Number: 3},
		{ID: "db", Name: "p-db-1", Service: "db", Number: 1},
		{ID: "job", Name: "p-job-run-1", Service: "job", Labels: oneoff},
	}}
	running := map[string]bool{"run": true, "w1": true, "w2": true, "job": true}
	status := func(id string) engine.Status {
		if running[id] {
			return engine.StatusRunning
		}
		return engine.StatusExited
	}
	tests := []struct {
		service string
		index   int
		want    string
		wantErr string
	}{
		{"web", 0, "w1", ""},
		{"web", 2, "w2", ""},
		{"web", 3, "", `service "web" is not running container #3: not found`},
		{"db", 0, "", `service "db" is not running: not found`},
		{"nope", 0, "", `service "nope" is not running: not found`},
		{"job", 0, "job", ""},
		{"job", 1, "", `service "job" is not running container #1: not found`},
	}
	for _, tt := range tests {
		c, err := execTarget(st, status, tt.service, tt.index)
		switch {
		case tt.wantErr != "":
			if err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrNotFound) {
				t.Errorf("execTarget(%q, %d) = %v, want error %q", tt.service, tt.index, err, tt.wantErr)
			}
		case err != nil || c.ID != tt.want:
			t.Errorf("execTarget(%q, %d) = %v, %v; want %s", tt.service, tt.index, c, err, tt.want)
		}
	}
}

func TestResolveEnv(t *testing.T) {
	lookup := func(k string) (string, bool) {
		v, ok := map[string]string{"HOME": "/root", "EMPTY": ""}[k]
		return v, ok
	}
	got := resolveEnv([]string{"A=1", "HOME", "MISSING", "EMPTY", "B=x=y"}, lookup)
	want := []string{"A=1", "HOME=/root", "EMPTY=", "B=x=y"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resolveEnv mismatch (-want +got):\n%s", diff)
	}
}
