package plan

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/project/internal/composetest"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
	"github.com/google/go-cmp/cmp"
)

const planYAML = `name: demo
services:
  db:
    image: busybox
    volumes: ["data:/data"]
  migrate:
    image: busybox
    depends_on:
      db: {condition: service_started}
  web:
    image: busybox
    ports: ["8080:80"]
    deploy: {replicas: 2}
    depends_on:
      migrate: {condition: service_completed_successfully}
volumes:
  data:
`

func loadYAML(t *testing.T, content string) *compose.Project { return composetest.Load(t, content) }

// existing records every container of p as created with its current hash.
func existing(t *testing.T, p *compose.Project, services ...string) (*state.State, map[string]engine.Status) {
	t.Helper()
	st := &state.State{Name: p.Name}
	status := map[string]engine.Status{}
	for _, s := range services {
		hash, err := p.ServiceHash(s)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= Replicas(p.Services[s]); n++ {
			id := s + "-id-" + string(rune('0'+n))
			st.Containers = append(st.Containers, &state.ContainerState{ID: id, Name: ContainerName(p.Name, p.Services[s], n),
				Service: s, Number: n, Labels: map[string]string{state.LabelConfigHash: hash}})
			status[id] = engine.StatusRunning
		}
	}
	st.Networks = map[string]state.NetworkState{"default": {Name: "demo_default"}}
	return st, status
}

func TestMakePlan(t *testing.T) {
	p := loadYAML(t, planYAML)
	full, fullStatus := existing(t, p, "db", "migrate", "web")
	exited := map[string]engine.Status{}
	for k, v := range fullStatus {
		exited[k] = v
	}
	exited["migrate-id-1"] = engine.StatusExited
	orphaned, orphanStatus := existing(t, p, "db", "migrate", "web")
	orphaned.Containers = append(orphaned.Containers, &state.ContainerState{ID: "old", Name: "demo-old-1", Service: "old", Number: 1})
	tests := []struct {
		name   string
		st     *state.State
		status map[string]engine.Status
		opts   Options
		want   []string
	}{
		{"fresh", nil, nil, Options{}, []string{
			"create network demo_default", "create volume demo_data", "create container demo-db-1",
			"create container demo-migrate-1", "create container demo-web-1", "create container demo-web-2"}},
		{"unchanged", full, fullStatus, Options{ExistingVolume: func(string) bool { return true }}, []string{
			"keep container demo-db-1", "keep container demo-migrate-1", "keep container demo-web-1", "keep container demo-web-2"}},
		{"exited one-shot runs again", full, exited, Options{ExistingVolume: func(string) bool { return true }}, []string{
			"keep container demo-db-1", "start container demo-migrate-1", "keep container demo-web-1", "keep container demo-web-2"}},
		{"scale down, one service", full, fullStatus, Options{Services: []string{"web"}, NoDeps: true, Scale: map[string]int{"web": 1}}, []string{
			"keep container demo-web-1", "remove container demo-web-2 (scaled down)"}},
		{"force", full, fullStatus, Options{Services: []string{"db"}, ForceRecreate: true, ExistingVolume: func(string) bool { return true }}, []string{
			"recreate container demo-db-1 (forced)"}},
		{"orphans", orphaned, orphanStatus, Options{Services: []string{"db"}, RemoveOrphans: true, ExistingVolume: func(string) bool { return true }}, []string{
			"keep container demo-db-1", "remove container demo-old-1 (orphan)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := Make(p, tt.st, tt.status, tt.opts)
			if err != nil {
				t.Fatalf("Make: %v", err)
			}
			var got []string
			for _, a := range plan {
				got = append(got, a.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Make(%s) mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

func TestMakePlanConfigChange(t *testing.T) {
	p := loadYAML(t, planYAML)
	st, status := existing(t, p, "db", "migrate", "web")
	changed := loadYAML(t, strings.Replace(planYAML, `volumes: ["data:/data"]`, `volumes: ["data:/data"]
    environment: {A: "1"}`, 1))
	plan, err := Make(changed, st, status, Options{Services: []string{"db"}, ExistingVolume: func(string) bool { return true }})
	if err != nil {
		t.Fatalf("Make: %v", err)
	}
	want := "recreate container demo-db-1 (config changed)\n"
	if plan.String() != want {
		t.Errorf("Make after a change = %q, want %q", plan.String(), want)
	}
	plan, _ = Make(changed, st, status, Options{Services: []string{"db"}, NoRecreate: true, ExistingVolume: func(string) bool { return true }})
	if want := "keep container demo-db-1\n"; plan.String() != want {
		t.Errorf("Make --no-recreate = %q, want %q", plan.String(), want)
	}
}

func TestMakePlanImageChange(t *testing.T) {
	p := loadYAML(t, planYAML)
	st, status := existing(t, p, "db")
	st.Containers[0].Labels[state.LabelImage] = "sha256:old"
	exists := func(string) bool { return true }
	tests := []struct {
		name   string
		images map[string]string
		opts   Options
		want   string
	}{
		{"same image", map[string]string{"db": "sha256:old"}, Options{}, "keep container demo-db-1\n"},
		{"rebuilt image", map[string]string{"db": "sha256:new"}, Options{}, "recreate container demo-db-1 (image changed)\n"},
		{"not compared", nil, Options{}, "keep container demo-db-1\n"},
		{"no recreate", map[string]string{"db": "sha256:new"}, Options{NoRecreate: true}, "keep container demo-db-1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Services, opts.NoDeps, opts.ExistingVolume, opts.Images = []string{"db"}, true, exists, tt.images
			plan, err := Make(p, st, status, opts)
			if err != nil {
				t.Fatalf("Make: %v", err)
			}
			if plan.String() != tt.want {
				t.Errorf("Make(%s) = %q, want %q", tt.name, plan.String(), tt.want)
			}
		})
	}
}

// One-off containers are neither replicas nor orphans: a plan keeps them as they are.
func TestPlanIgnoresOneoffs(t *testing.T) {
	p := loadYAML(t, planYAML)
	st, status := existing(t, p, "db", "migrate", "web")
	for _, svc := range []string{"web", "gone"} {
		st.Containers = append(st.Containers, &state.ContainerState{ID: "run-" + svc, Name: "demo-" + svc + "-run-0123456789ab",
			Service: svc, Labels: map[string]string{state.LabelOneoff: "True"}})
		status["run-"+svc] = engine.StatusRunning
	}
	plan, err := Make(p, st, status, Options{RemoveOrphans: true, Scale: map[string]int{"web": 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range plan {
		if strings.Contains(a.Name, "-run-") {
			t.Errorf("plan acts on a one-off container: %s", a)
		}
	}
}

func TestOrphans(t *testing.T) {
	p := loadYAML(t, planYAML)
	st, _ := existing(t, p, "db", "web")
	st.Containers = append(st.Containers,
		&state.ContainerState{ID: "old", Name: "demo-old-1", Service: "old"},
		&state.ContainerState{ID: "run", Name: "demo-gone-run-0123456789ab", Service: "gone", Labels: map[string]string{state.LabelOneoff: "True"}},
		&state.ContainerState{ID: "old2", Name: "demo-older-1", Service: "older"})
	var names []string
	for _, c := range Orphans(p, st) {
		names = append(names, c.Name)
	}
	if want := []string{"demo-old-1", "demo-older-1"}; !cmp.Equal(names, want) {
		t.Errorf("Orphans = %q, want %q", names, want)
	}
	if got := Orphans(p, &state.State{}); got != nil {
		t.Errorf("Orphans(no state) = %v, want none", got)
	}
	p.Disabled = []string{"old"} // left out by a profile or by `up web`: not an orphan
	names = nil
	for _, c := range Orphans(p, st) {
		names = append(names, c.Name)
	}
	if want := []string{"demo-older-1"}; !cmp.Equal(names, want) {
		t.Errorf("Orphans with old disabled = %q, want %q", names, want)
	}
}
