package project

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/logstream"
)

func TestAttachedServices(t *testing.T) {
	p := loadYAML(t, `services:
  db: {image: busybox}
  api: {image: busybox, depends_on: [db]}
  web: {image: busybox, depends_on: [api]}
  quiet: {image: busybox, attach: false}
  loud: {image: busybox, attach: true, depends_on: [quiet]}
`)
	tests := []struct {
		name     string
		services []string
		at       AttachOptions
		want     []string
	}{
		{"all by default but attach: false", nil, AttachOptions{}, []string{"api", "db", "loud", "web"}},
		{"named services only", []string{"web"}, AttachOptions{}, []string{"web"}},
		{"named attach: false", []string{"quiet"}, AttachOptions{}, nil},
		{"with dependencies", []string{"web"}, AttachOptions{AttachDependencies: true}, []string{"api", "db", "web"}},
		{"with dependencies but attach: false", []string{"loud"}, AttachOptions{AttachDependencies: true}, []string{"loud"}},
		{"--attach", nil, AttachOptions{Attach: []string{"db"}}, []string{"db"}},
		{"--attach of attach: false", nil, AttachOptions{Attach: []string{"quiet"}}, []string{"quiet"}},
		{"--no-attach", nil, AttachOptions{NoAttach: []string{"db", "api"}}, []string{"loud", "web"}},
		{"--exit-code-from attaches", nil, AttachOptions{Attach: []string{"web"}, ExitCodeFrom: "db"}, []string{"db", "web"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := attachedServices(p, PlanOptions{Services: tt.services}, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedKeys(set); !slices.Equal(got, tt.want) {
				t.Errorf("attachedServices = %v, want %v", got, tt.want)
			}
		})
	}
	for _, at := range []AttachOptions{{Attach: []string{"nope"}}, {NoAttach: []string{"nope"}}, {ExitCodeFrom: "nope"}} {
		if _, err := attachedServices(p, PlanOptions{}, at); !errors.Is(err, ErrNotFound) {
			t.Errorf("attachedServices(%+v) = %v, want ErrNotFound", at, err)
		}
	}
}

// TestAttacherCascade checks Compose's exit code rules for a sequence of exits.
func TestAttacherCascade(t *testing.T) {
	type exit struct {
		service string
		code    int
	}
	tests := []struct {
		name         string
		onExit       Cascade
		exitCodeFrom string
		exits        []exit
		wantCode     int
		wantAbort    bool
		wantStatus   int // "exited with code" lines printed
	}{
		{"ignore", CascadeIgnore, "", []exit{{"a", 3}, {"b", 0}}, 0, false, 2},
		{"stop takes first exit", CascadeStop, "", []exit{{"a", 3}, {"b", 143}}, 3, true, 1},
		{"stop first exit 0", CascadeStop, "", []exit{{"b", 0}, {"a", 137}}, 0, true, 1},
		{"exit-code-from own exit", CascadeStop, "b", []exit{{"b", 4}, {"a", 143}}, 4, true, 1},
		{"exit-code-from stopped by abort", CascadeStop, "b", []exit{{"a", 0}, {"b", 143}}, 143, true, 1},
		{"failure ignores success", CascadeFail, "", []exit{{"a", 0}, {"b", 0}}, 0, false, 2},
		{"failure aborts", CascadeFail, "", []exit{{"a", 0}, {"b", 2}, {"a", 143}}, 2, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, progress bytes.Buffer
			w := logstream.NewWatch(nil, nil, logstream.NewPrinter(&out, LogFormat{}), nil)
			a := &attacher{w: w, at: AttachOptions{OnExit: tt.onExit}, exitCodeFrom: tt.exitCodeFrom,
				progress: &progress, upRunning: true}
			for _, e := range tt.exits {
				a.exited(logstream.Exit{C: &ContainerState{Service: e.service, Number: 1}, Code: e.code})
			}
			if a.code != tt.wantCode || a.aborting != tt.wantAbort {
				t.Errorf("code, aborting = %d, %v; want %d, %v", a.code, a.aborting, tt.wantCode, tt.wantAbort)
			}
			if n := strings.Count(out.String(), "exited with code"); n != tt.wantStatus {
				t.Errorf("printed %d exit lines, want %d:\n%s", n, tt.wantStatus, out.String())
			}
			if tt.wantAbort != a.pendingStop || tt.wantAbort != strings.Contains(progress.String(), "Aborting on container exit...") {
				t.Errorf("abort = %v, stop pending %v, progress %q", tt.wantAbort, a.pendingStop, progress.String())
			}
		})
	}
}

func TestReadiness(t *testing.T) {
	checked := &ContainerState{Name: "p-db-1", Health: &HealthSpec{}}
	plain := &ContainerState{Name: "p-web-1"}
	running := engine.State{Status: engine.StatusRunning}
	exited := func(code int) engine.State { return engine.State{Status: engine.StatusExited, ExitCode: code} }
	tests := []struct {
		name         string
		c            *ContainerState
		es           engine.State
		health       string
		mustComplete bool
		want         string
		wantErr      string
	}{
		{"running without healthcheck", plain, running, "", false, "Healthy", ""},
		{"starting", checked, running, HealthStarting, false, "", ""},
		{"healthy", checked, running, HealthHealthy, false, "Healthy", ""},
		{"unhealthy", checked, running, HealthUnhealthy, false, "", "container p-db-1 is unhealthy"},
		{"exited", plain, exited(0), "", false, "", "container p-web-1 exited (0)"},
		{"one-shot still running", plain, running, "", true, "", ""},
		{"one-shot completed", plain, exited(0), "", true, "Exited", ""},
		{"one-shot failed", plain, exited(2), "", true, "", "container p-web-1 exited (2)"},
		{"created", plain, engine.State{Status: engine.StatusCreated}, "", false, "", ""},
	}
	for _, tt := range tests {
		got, err := readiness(tt.c, tt.es, tt.health, tt.mustComplete)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.wantErr {
			t.Errorf("%s: readiness = %q, %q; want %q, %q", tt.name, got, gotErr, tt.want, tt.wantErr)
		}
	}
}
