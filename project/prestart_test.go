package project

import (
	"slices"
	"testing"

	"github.com/berth-dev/berth/compose"
)

func TestPreStartDue(t *testing.T) {
	hooked := compose.ServiceConfig{Name: "web", PreStart: []compose.PreStartHook{{}}}
	tests := []struct {
		name string
		svc  compose.ServiceConfig
		acts []ActionKind
		want bool
	}{
		{"first up", hooked, []ActionKind{ActCreate}, true},
		{"recreate", hooked, []ActionKind{ActRecreate, ActRecreate}, true},
		{"stopped service", hooked, []ActionKind{ActStart}, true},
		{"a replica runs on", hooked, []ActionKind{ActKeep, ActCreate}, false},
		{"no hooks", compose.ServiceConfig{Name: "web"}, []ActionKind{ActCreate}, false},
		{"nothing to do", hooked, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var acts []Action
			for _, k := range tt.acts {
				acts = append(acts, Action{Kind: k, Service: "web"})
			}
			if got := preStartDue(tt.svc, acts); got != tt.want {
				t.Errorf("preStartDue(%v) = %v, want %v", tt.acts, got, tt.want)
			}
		})
	}
}

// A runner is the hook's spec with the service's name, no restart policy nor
// container name, and the service container's volumes after its own.
func TestPreStartRunnerService(t *testing.T) {
	hook := compose.ServiceConfig{Image: "busybox", User: "1000", Restart: "always", ContainerName: "fixed",
		VolumesFrom: []string{"other:ro"}}
	svc := compose.ServiceConfig{Name: "web", PreStart: []compose.PreStartHook{{ServiceConfig: hook}}}
	donor := &ContainerState{Name: "p-web-1"}
	got := preStartRunnerService(svc, 0, donor)
	if got.Name != "web" || got.Restart != "" || got.ContainerName != "" || got.Image != "busybox" || got.User != "1000" {
		t.Errorf("runner service = %+v, want web's name, the hook's image and user, no restart nor container name", got)
	}
	if want := []string{"other:ro", "container:p-web-1"}; !slices.Equal(got.VolumesFrom, want) {
		t.Errorf("runner volumes_from = %q, want %q", got.VolumesFrom, want)
	}
	if len(svc.PreStart[0].VolumesFrom) != 1 {
		t.Errorf("the hook's volumes_from changed: %q", svc.PreStart[0].VolumesFrom)
	}
	if name := preStartRunnerName("p", "web", 1); name != "p-web-pre_start-1" {
		t.Errorf("runner name = %q, want Compose's p-web-pre_start-1", name)
	}
}

func TestLineWriter(t *testing.T) {
	var lines []string
	w := &lineWriter{line: func(l string) { lines = append(lines, l) }}
	for _, s := range []string{"one\r\ntw", "o\n", "", "\nthree"} {
		w.Write([]byte(s))
	}
	w.flush()
	if want := []string{"one", "two", "", "three"}; !slices.Equal(lines, want) {
		t.Errorf("lines = %q, want %q", lines, want)
	}
}
