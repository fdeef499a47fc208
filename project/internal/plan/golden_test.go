package plan

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
)

var update = flag.Bool("update", false, "rewrite testdata/*/want.txt")

// planCase is testdata/<case>/case.json: how the project of before.yaml was left
// (statuses, image IDs) and how compose.yaml is planned against it.
type planCase struct {
	// Status of recorded containers by name (default running).
	Status map[string]engine.Status `json:"status"`
	// ImagesBefore are the image IDs the recorded containers were made from, Images
	// those their services' images have now (by service).
	ImagesBefore map[string]string `json:"imagesBefore"`
	Images       map[string]string `json:"images"`
	Volumes      []string          `json:"volumes"` // volumes that exist
	Services     []string          `json:"services"`
	NoDeps       bool              `json:"noDeps"`
	Force        bool              `json:"forceRecreate"`
	ForceDeps    bool              `json:"alwaysRecreateDeps"`
	RemoveOrph   bool              `json:"removeOrphans"`
	Scale        map[string]int    `json:"scale"`
	Oneoff       string            `json:"oneoff"`
}

// TestMakePlanGolden plans testdata/<case>/compose.yaml against the state an up
// of before.yaml (none: never brought up) left, with case.json, and compares the plan
// with want.txt (go test ./project -run Golden -update rewrites it).
func TestMakePlanGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases in testdata: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var pc planCase
			if b, err := os.ReadFile(filepath.Join(dir, "case.json")); err == nil {
				if err := json.Unmarshal(b, &pc); err != nil {
					t.Fatalf("case.json: %v", err)
				}
			}
			p := loadFile(t, filepath.Join(dir, "compose.yaml"))
			st, status := stateAfterUp(t, dir, pc)
			plan, err := Make(p, st, status, Options{Services: pc.Services, NoDeps: pc.NoDeps,
				ForceRecreate: pc.Force, AlwaysRecreateDeps: pc.ForceDeps, RemoveOrphans: pc.RemoveOrph, Scale: pc.Scale, Oneoff: pc.Oneoff,
				Images: pc.Images, ExistingVolume: func(v string) bool { return slices.Contains(pc.Volumes, v) }})
			if err != nil {
				t.Fatalf("Make: %v", err)
			}
			want := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(want, []byte(plan.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if plan.String() != string(b) {
				t.Errorf("Make(%s) =\n%s\nwant (%s):\n%s", dir, plan, want, b)
			}
		})
	}
}

// stateAfterUp is the state and container statuses an up of dir/before.yaml left: every
// replica recorded with that file's config hash, running unless pc says otherwise;
// nil when the case has no before.yaml.
func stateAfterUp(t *testing.T, dir string, pc planCase) (*state.State, map[string]engine.Status) {
	t.Helper()
	file := filepath.Join(dir, "before.yaml")
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	p := loadFile(t, file)
	st := &state.State{Name: p.Name, Networks: map[string]state.NetworkState{}}
	status := map[string]engine.Status{}
	for _, s := range p.ServiceNames() {
		hash, err := p.ServiceHash(s)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= Replicas(p.Services[s]); n++ {
			name := ContainerName(p.Name, p.Services[s], n)
			c := &state.ContainerState{ID: name + "-id", Name: name, Service: s, Number: n,
				Labels: map[string]string{state.LabelConfigHash: hash, state.LabelImage: pc.ImagesBefore[s]}}
			st.Containers = append(st.Containers, c)
			status[c.ID] = engine.StatusRunning
			if s, ok := pc.Status[name]; ok {
				status[c.ID] = s
			}
		}
		for _, n := range ServiceNetworks(p.Services[s]) {
			st.Networks[n] = state.NetworkState{Name: NetworkName(p, n)}
		}
	}
	return st, status
}

func loadFile(t *testing.T, file string) *compose.Project {
	t.Helper()
	p, err := compose.Load(t.Context(), compose.Options{Files: []string{file}, Environ: map[string]string{}})
	if err != nil {
		t.Fatalf("Load(%s): %v", file, err)
	}
	return p
}
