package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

const sharedYAML = `name: demo
services:
  web:
    image: busybox
  side:
    image: busybox
    network_mode: service:web
`

// A container in another service's network namespace is recreated when that service
// gets a new container (in this plan or since it joined), as Compose does.
func TestMakePlanSharedNamespace(t *testing.T) {
	p := loadYAML(t, sharedYAML)
	changed := loadYAML(t, strings.Replace(sharedYAML, "image: busybox\n  side", "image: busybox\n    environment: {A: \"1\"}\n  side", 1))
	tests := []struct {
		name   string
		joined string // the web container side joined
		web    engine.Status
		opts   Options
		newWeb bool
		want   string
	}{
		{"unchanged", "web-id-1", engine.StatusRunning, Options{}, false,
			"keep container demo-web-1\nkeep container demo-side-1\n"},
		{"web restarted", "web-id-1", engine.StatusExited, Options{}, false,
			"start container demo-web-1\nkeep container demo-side-1\n"},
		{"web recreated", "web-id-1", engine.StatusRunning, Options{}, true,
			"recreate container demo-web-1 (config changed)\nrecreate container demo-side-1 (service web has a new container)\n"},
		{"web lost", "web-id-1", "", Options{}, false,
			"recreate container demo-web-1 (container missing)\nrecreate container demo-side-1 (service web has a new container)\n"},
		{"joined another", "web-id-0", engine.StatusRunning, Options{}, false,
			"keep container demo-web-1\nrecreate container demo-side-1 (service web has a new container)\n"},
		{"no recreate", "web-id-1", engine.StatusRunning, Options{NoRecreate: true}, true,
			"keep container demo-web-1\nkeep container demo-side-1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, status := existing(t, p, "web", "side")
			st.Container("side", 1).Joins = map[string]string{"web": tt.joined}
			status["web-id-1"] = tt.web
			q := p
			if tt.newWeb {
				q = changed
			}
			opts := tt.opts
			opts.ExistingVolume = func(string) bool { return true }
			plan, err := Make(q, st, status, opts)
			if err != nil {
				t.Fatalf("Make: %v", err)
			}
			if plan.String() != tt.want {
				t.Errorf("Make(%s) = %q, want %q", tt.name, plan.String(), tt.want)
			}
		})
	}
}

func TestSharedServices(t *testing.T) {
	tests := []struct {
		svc  compose.ServiceConfig
		want []string
	}{
		{compose.ServiceConfig{}, nil},
		{compose.ServiceConfig{NetworkMode: "host", Ipc: "shareable", Pid: "host"}, nil},
		{compose.ServiceConfig{NetworkMode: "container:x-1", Ipc: "container:x-1"}, nil},
		{compose.ServiceConfig{NetworkMode: "service:web", Ipc: "service:app", Pid: "service:app"}, []string{"web", "app", "app"}},
	}
	for _, tt := range tests {
		if got := SharedServices(tt.svc); !slices.Equal(got, tt.want) {
			t.Errorf("SharedServices(%+v) = %q, want %q", tt.svc, got, tt.want)
		}
	}
}
