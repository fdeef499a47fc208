package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/netdriver"
	"github.com/berth-dev/berth/project/internal/plan"
	"github.com/berth-dev/berth/project/internal/state"
)

// fakeNetworks is a network driver that checks each network was recorded (and the
// record saved) before it is made.
type fakeNetworks struct {
	t       *testing.T
	st      *state.State
	saved   *int
	created []string
	labels  map[string]map[string]string // by network name
	fail    error
}

var _ NetworkCreator = (*fakeNetworks)(nil)

func (f *fakeNetworks) CreateNetwork(_ context.Context, name string, opts netdriver.NetworkOptions) (*netdriver.Network, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	recorded := false
	for _, n := range f.st.Networks {
		recorded = recorded || n.Name == name
	}
	if !recorded || *f.saved == 0 {
		f.t.Errorf("CreateNetwork(%s) before the network was recorded and saved", name)
	}
	f.created = append(f.created, fmt.Sprintf("%s internal=%v subnet=%v", name, opts.Internal, opts.Subnet))
	if f.labels == nil {
		f.labels = map[string]map[string]string{}
	}
	f.labels[name] = opts.Labels
	return &netdriver.Network{Name: name, Gateway: netip.MustParseAddr("10.9.0.1")}, nil
}

func load(t *testing.T, yaml string) *compose.Project {
	t.Helper()
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := compose.Load(t.Context(), compose.Options{Files: []string{file}, Environ: map[string]string{}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p
}

const resourcesYAML = `name: demo
services:
  web:
    image: busybox
    networks: [front, back]
    volumes: ["data:/data", "ext:/ext"]
  tool:
    image: busybox
    network_mode: none
  late:
    image: busybox
    networks: [shared, zzz]
networks:
  front:
    labels: {com.example.net: front, com.docker.compose.network: mine}
  back:
    internal: true
    ipam: {config: [{subnet: 10.77.0.0/24}]}
  shared:
    external: true
  zzz:
volumes:
  data:
    labels: [com.example.vol=data]
  ext:
    external: true
`

// TestNetworksAndVolumes runs the resource steps of a fresh plan on fakes and a temp
// root: networks recorded before they are made, made once, volumes made and labelled.
func TestNetworksAndVolumes(t *testing.T) {
	p := load(t, resourcesYAML)
	st := &state.State{Name: p.Name}
	saved := 0
	var progress []string
	tg := Target{P: p, St: st, Paths: state.Paths{Root: t.TempDir()},
		Save:     func() error { saved++; return nil },
		Progress: func(format string, args ...any) { progress = append(progress, fmt.Sprintf(format, args...)) }}
	acts, err := plan.Make(p, nil, nil, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	nd := &fakeNetworks{t: t, st: st, saved: &saved}
	if err := Networks(t.Context(), tg, nd, acts); err != nil {
		t.Fatalf("Networks: %v", err)
	}
	want := []string{"demo_back internal=true subnet=10.77.0.0/24", "demo_front internal=false subnet=invalid Prefix",
		"demo_zzz internal=false subnet=invalid Prefix"} // zzz after the external shared

	if !slices.Equal(nd.created, want) {
		t.Errorf("networks made = %q, want %q", nd.created, want)
	}
	wantLabels := map[string]string{"com.example.net": "front", "com.docker.compose.network": "front", "com.docker.compose.project": "demo"}
	if got := nd.labels["demo_front"]; !maps.Equal(got, wantLabels) {
		t.Errorf("front's labels = %v, want %v (its own, Compose's over them)", got, wantLabels)
	}
	if st.Networks["front"].Gateway != "10.9.0.1" {
		t.Errorf("recorded front = %+v, want its gateway", st.Networks["front"])
	}
	nd.created = nil
	if err := Networks(t.Context(), tg, nd, acts); err != nil || len(nd.created) != 0 {
		t.Errorf("Networks again = %v, made %q; want nothing made", err, nd.created)
	}
	before := saved
	if err := Volumes(tg, acts); err != nil {
		t.Fatalf("Volumes: %v", err)
	}
	if st.Volumes["data"] != "demo_data" || st.Volumes["ext"] != "" || saved != before+1 {
		t.Errorf("recorded volumes = %v, saved %d times; want data only (ext is external), saved once", st.Volumes, saved-before)
	}
	got, err := tg.Paths.VolumesLabelled(state.LabelProject, "demo")
	if err != nil || !slices.Equal(got, []string{"demo_data"}) {
		t.Errorf("volumes labelled with demo = %q, %v; want demo_data", got, err)
	}
	if got, err := tg.Paths.VolumesLabelled("com.example.vol", "data"); err != nil || !slices.Equal(got, []string{"demo_data"}) {
		t.Errorf("volumes labelled com.example.vol=data = %q, %v; want demo_data (its labels key)", got, err)
	}
	if want := " Network demo_back  Created\n Network demo_front  Created\n Network demo_zzz  Created\n Volume demo_data  Created\n"; strings.Join(progress, "") != want {
		t.Errorf("progress = %q, want %q", strings.Join(progress, ""), want)
	}
	before = saved
	if err := Volumes(tg, acts); err != nil || saved != before {
		t.Errorf("Volumes again = %v, saved %d times; want nothing new to save", err, saved-before)
	}
}

// TestNetworksFailure: a network the driver fails to make stays recorded (Down removes
// what the driver made of it) and the error names it.
func TestNetworksFailure(t *testing.T) {
	p := load(t, resourcesYAML)
	st := &state.State{Name: p.Name}
	saved := 0
	tg := Target{P: p, St: st, Save: func() error { saved++; return nil }, Progress: func(string, ...any) {}}
	acts, _ := plan.Make(p, nil, nil, plan.Options{Services: []string{"web"}})
	boom := errors.New("no pool")
	err := Networks(t.Context(), tg, &fakeNetworks{t: t, st: st, saved: &saved, fail: boom}, acts)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "demo_back") {
		t.Errorf("Networks with a failing driver = %v, want the failure naming demo_back", err)
	}
	if _, ok := st.Networks["back"]; !ok || saved == 0 {
		t.Errorf("state after the failure = %+v (saved %d), want back recorded", st.Networks, saved)
	}
}
