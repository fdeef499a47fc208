package project

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/berth-dev/berth/engine"
)

// TestRecoverState: a lost project state is rebuilt from the labels of the engine's
// containers and of the network driver's networks, the project's only.
func TestRecoverState(t *testing.T) {
	cfg := Config{Root: t.TempDir(), RuntimeDir: t.TempDir()}
	eng := cfg.engine()
	anon := strings.Repeat("ab", 32)
	volumeDir := func(name string) string {
		dir, err := cfg.VolumeDir(name)
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}
	mounts := []engine.Mount{
		{Type: "bind", Source: volumeDir(anon), Target: "/data"},
		{Type: "bind", Source: volumeDir("p_named"), Target: "/named"},
		{Type: "bind", Source: "/srv/" + anon + "/_data", Target: "/host"},
		{Type: "tmpfs", Target: "/tmp"},
	}
	for _, c := range []struct {
		id     string
		labels map[string]string
	}{
		{"a1", map[string]string{LabelProject: "p", LabelService: "web", LabelNumber: "1"}},
		{"b1", map[string]string{LabelProject: "p", LabelService: "db", LabelNumber: "2"}},
		{"r1", map[string]string{LabelProject: "p", LabelService: "web", LabelNumber: "1", LabelOneoff: "True"}},
		{"q1", map[string]string{LabelProject: "q", LabelService: "web", LabelNumber: "1"}},
		{"nolabels", nil},
	} {
		spec := engine.Spec{ID: c.id, LayerDirs: []string{t.TempDir()}, Cmd: []string{"true"}, Labels: c.labels}
		if c.id == "a1" {
			spec.Mounts = mounts
		}
		if err := eng.Create(spec); err != nil {
			t.Fatal(err)
		}
	}
	netState := `{"networks": {
  "p_default": {"name": "p_default", "bridge": "br1", "subnet": "10.9.0.0/24", "gateway": "10.9.0.1",
    "labels": {"com.docker.compose.project": "p", "com.docker.compose.network": "default"}},
  "p_back": {"name": "p_back", "bridge": "br2", "subnet": "10.9.1.0/24", "gateway": "10.9.1.1", "internal": true,
    "labels": {"com.docker.compose.project": "p", "com.docker.compose.network": "back"}},
  "q_default": {"name": "q_default", "bridge": "br3", "subnet": "10.9.2.0/24", "gateway": "10.9.2.1",
    "labels": {"com.docker.compose.project": "q", "com.docker.compose.network": "default"}}}}`
	if err := os.MkdirAll(filepath.Join(cfg.Root, "networks"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg.Root, "networks", "state.json"), []byte(netState), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := cfg.recoverState("p")
	if err != nil {
		t.Fatalf("recoverState = %v", err)
	}
	var names []string
	for _, c := range st.Containers {
		names = append(names, c.ID+"="+c.Name)
	}
	wantNames := []string{"a1=p-web-1", "b1=p-db-2", "r1=p-web-run-r1"} // sorted by ID
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("recovered containers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"/data": anon}, st.Containers[0].AnonymousVolumes); diff != "" {
		t.Errorf("anonymous volumes of a1 (-want +got):\n%s", diff)
	}
	wantNets := map[string]NetworkState{
		"default": {Name: "p_default", Gateway: "10.9.0.1"},
		"back":    {Name: "p_back", Gateway: "10.9.1.1", Internal: true},
	}
	if diff := cmp.Diff(wantNets, st.Networks); diff != "" {
		t.Errorf("recovered networks (-want +got):\n%s", diff)
	}
}

// TestListSkipsUnreadableState: ls lists the readable projects and warns of the others,
// naming the file.
func TestListSkipsUnreadableState(t *testing.T) {
	cfg := Config{Root: t.TempDir(), RuntimeDir: t.TempDir()}
	if err := cfg.saveState(&State{Name: "good"}); err != nil {
		t.Fatal(err)
	}
	broken, err := cfg.statePath("broken")
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(broken), 0o700)
	if err := os.WriteFile(broken, []byte(`{"name": "bro`), 0o600); err != nil {
		t.Fatal(err)
	}
	var warnings []error
	list, err := List(cfg, true, func(err error) { warnings = append(warnings, err) })
	if err != nil || len(list) != 0 { // "good" has no container: left out, as Compose does
		t.Errorf("List = %v, %v; want no error", list, err)
	}
	want := "read state " + broken + ": unexpected end of JSON input"
	if len(warnings) != 1 || !errors.Is(warnings[0], engine.ErrBadState) || !strings.Contains(warnings[0].Error(), want) {
		t.Errorf("warnings = %v, want one ErrBadState containing %q", warnings, want)
	}
	if _, err := cfg.LoadState("broken"); err == nil || err.Error() != want {
		t.Errorf("LoadState = %v, want %q", err, want)
	}
}
