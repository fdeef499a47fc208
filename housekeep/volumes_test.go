package housekeep

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/project"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func testStore(t *testing.T, volumes ...string) (*Store, string) {
	t.Helper()
	root := t.TempDir()
	for _, v := range volumes {
		if err := os.MkdirAll(filepath.Join(root, "volumes", v, "_data"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "volumes", v, "_data", "f"), []byte("1234"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return New(project.Config{Root: root, RuntimeDir: t.TempDir()}), root
}

func names(vols []*Volume) []string {
	var out []string
	for _, v := range vols {
		out = append(out, v.Name)
	}
	return out
}

// TestPruneVolumes: without all only anonymous volumes go; a removal interrupted
// after the rename (a ".removing-" dir) is neither listed nor left behind.
func TestPruneVolumes(t *testing.T) {
	anon := strings.Repeat("0f", 32)
	tests := []struct {
		all        bool
		wantGone   []string
		wantLeft   []string
		wantFreed  int64
		interrupts bool
	}{
		{all: false, wantGone: []string{anon}, wantLeft: []string{"p_data"}, wantFreed: 4},
		{all: true, wantGone: []string{anon, "p_data"}, wantLeft: nil, wantFreed: 8},
		{all: false, wantGone: []string{anon}, wantLeft: []string{"p_data"}, wantFreed: 4, interrupts: true},
	}
	for _, tt := range tests {
		s, root := testStore(t, anon, "p_data")
		leftover := filepath.Join(root, "volumes", ".removing-old")
		if tt.interrupts {
			os.MkdirAll(filepath.Join(leftover, "_data"), 0o755)
		}
		if vols, err := s.Volumes(); err != nil || len(vols) != 2 {
			t.Fatalf("Volumes() = %v, %v; want the two volumes only", names(vols), err)
		}
		rep, err := s.PruneVolumes(tt.all, Filter{})
		if err != nil {
			t.Fatalf("PruneVolumes(%v) = %v", tt.all, err)
		}
		slices.Sort(rep.Deleted)
		if !slices.Equal(rep.Deleted, tt.wantGone) || rep.Reclaimed != tt.wantFreed {
			t.Errorf("PruneVolumes(%v) = %v, %d bytes; want %v, %d", tt.all, rep.Deleted, rep.Reclaimed, tt.wantGone, tt.wantFreed)
		}
		left, _ := s.Volumes()
		if !slices.Equal(names(left), tt.wantLeft) {
			t.Errorf("after PruneVolumes(%v) left %v, want %v", tt.all, names(left), tt.wantLeft)
		}
		if _, err := os.Stat(leftover); !os.IsNotExist(err) {
			t.Errorf("interrupted removal left %s: %v", leftover, err)
		}
	}
}

func TestVolumeNotFound(t *testing.T) {
	s, _ := testStore(t)
	for _, name := range []string{"nope", "..", "a/b"} {
		if _, err := s.Volume(name); !IsNotFound(err) {
			t.Errorf("Volume(%q) = %v, want no such volume", name, err)
		}
		if err := s.RemoveVolume(name); !IsNotFound(err) {
			t.Errorf("RemoveVolume(%q) = %v, want no such volume", name, err)
		}
	}
}

// TestUsage: what a container mounts and which image it runs, as housekeeping reads
// them from its spec.
func TestUsage(t *testing.T) {
	layer := func(hex string) v1.Hash { return v1.Hash{Algorithm: "sha256", Hex: hex} }
	a := &image.Image{ID: "sha256:aaa", Layers: []v1.Hash{layer("11"), layer("22")}}
	b := &image.Image{ID: "sha256:bbb", Layers: []v1.Hash{layer("11"), layer("22")}} // same layers, other config
	c := &image.Image{ID: "sha256:ccc", Layers: []v1.Hash{layer("11")}}
	u := &usage{layers: map[string]bool{}, netns: map[string]container{}}
	u.add(container{ID: "c1", Name: "p-web-1", Spec: engine.Spec{
		LayerDirs: []string{"/r/images/layers/11", "/r/images/layers/22"},
		Labels:    map[string]string{"com.docker.compose.image": "sha256:aaa"},
		Mounts:    []engine.Mount{{Type: "bind", Source: "/r/volumes/p_data/_data/sub", Target: "/data"}}}})
	u.add(container{ID: "c2", Name: "c2", Spec: engine.Spec{LayerDirs: []string{"/r/images/layers/11"}}})
	for _, tt := range []struct {
		img  *image.Image
		want bool
	}{{a, true}, {b, false}, {c, true}} {
		if got := u.imageInUse(tt.img); got != tt.want {
			t.Errorf("imageInUse(%s) = %v, want %v", tt.img.ID, got, tt.want)
		}
	}
	if got := u.usesPath("/r/volumes/p_data"); !slices.Equal(got, []string{"p-web-1"}) {
		t.Errorf("usesPath(p_data) = %v, want [p-web-1]", got)
	}
	if got := u.usesPath("/r/volumes/p_dat"); got != nil {
		t.Errorf("usesPath(p_dat) = %v, want none (a prefix of a name is no parent)", got)
	}
	if !u.layers["sha256:22"] || !u.layers["sha256:11"] {
		t.Errorf("layers in use = %v, want 11 and 22", u.layers)
	}
}

func TestNetworkInUse(t *testing.T) {
	tests := []struct {
		n    Network
		want bool
	}{
		{Network{Name: "x"}, false},
		{Network{Name: "x", Project: "p"}, true},
		{Network{Name: "x", Containers: map[string]Endpoint{"c1": {}}}, true},
	}
	for _, tt := range tests {
		if got := tt.n.inUse() != ""; got != tt.want {
			t.Errorf("inUse(%+v) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

// TestUnreadableProjectState: a project state that cannot be read does not stop
// listing, but no volume is removed while what it records is unknown.
func TestUnreadableProjectState(t *testing.T) {
	anon := strings.Repeat("0e", 32)
	s, root := testStore(t, anon)
	state := filepath.Join(root, "projects", "p", "state.json")
	if err := os.MkdirAll(filepath.Dir(state), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(state, []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if vols, err := s.Volumes(); err != nil || len(vols) != 1 {
		t.Errorf("Volumes() = %v, %v; want the volume listed", names(vols), err)
	}
	if _, err := s.PruneVolumes(true, Filter{}); err == nil || !strings.Contains(err.Error(), state) {
		t.Errorf("PruneVolumes() = %v, want an error naming %s", err, state)
	}
	if err := s.RemoveVolume(anon); err == nil {
		t.Errorf("RemoveVolume() = nil, want refused")
	}
	if left, _ := s.Volumes(); len(left) != 1 {
		t.Errorf("a volume was removed despite the unreadable state")
	}
}
