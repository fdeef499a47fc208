package project

import (
	"fmt"
	"os"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func imageWithVolumes(paths ...string) v1.Config {
	c := v1.Config{Volumes: map[string]struct{}{}}
	for _, p := range paths {
		c.Volumes[p] = struct{}{}
	}
	return c
}

func TestAnonymousTargets(t *testing.T) {
	tests := []struct {
		name string
		vols []compose.ServiceVolumeConfig
		tmp  []string
		img  v1.Config
		want []string
	}{
		{name: "none", vols: []compose.ServiceVolumeConfig{{Type: "bind", Source: "/h", Target: "/b"}}},
		{name: "service volume without source",
			vols: []compose.ServiceVolumeConfig{{Type: "volume", Target: "/data/"}, {Type: "volume", Source: "db", Target: "/db"}},
			want: []string{"/data"}},
		{name: "image volume", img: imageWithVolumes("/var/lib/x", "cache/"), want: []string{"/cache", "/var/lib/x"}},
		{name: "image volume covered by a named volume, a bind and a tmpfs",
			vols: []compose.ServiceVolumeConfig{{Type: "volume", Source: "db", Target: "/a"}, {Type: "bind", Source: "/h", Target: "/b/"}},
			tmp:  []string{"/c"}, img: imageWithVolumes("/a", "/b", "/c", "/d"), want: []string{"/d"}},
		{name: "image volume covered by an anonymous one counts once",
			vols: []compose.ServiceVolumeConfig{{Type: "volume", Target: "/data"}, {Type: "volume", Target: "/data"}},
			img:  imageWithVolumes("/data"), want: []string{"/data"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := compose.ServiceConfig{Name: "s", Volumes: tt.vols, Tmpfs: tt.tmp}
			if got := anonymousTargets(svc, tt.img); !cmp.Equal(got, tt.want) {
				t.Errorf("anonymousTargets() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInheritedVolumes(t *testing.T) {
	old := map[string]string{"/a": "id-a", "/b": "id-b"}
	tests := []struct {
		name    string
		targets []string
		renew   bool
		want    map[string]string
	}{
		{name: "same paths", targets: []string{"/a", "/b"}, want: old},
		{name: "a path dropped, one added", targets: []string{"/a", "/c"}, want: map[string]string{"/a": "id-a"}},
		{name: "renew (-V)", targets: []string{"/a", "/b"}, renew: true, want: map[string]string{}},
		{name: "no anonymous volumes any more", want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := inheritedVolumes(old, tt.targets, tt.renew); !cmp.Equal(got, tt.want) {
				t.Errorf("inheritedVolumes(%v, %q, %v) = %v, want %v", old, tt.targets, tt.renew, got, tt.want)
			}
		})
	}
}

func TestAssignAnonymous(t *testing.T) {
	tests := []struct {
		name      string
		have      map[string]string
		targets   []string
		want      map[string]string
		wantAdded bool
	}{
		{name: "fresh", targets: []string{"/a", "/b"}, want: map[string]string{"/a": "new1", "/b": "new2"}, wantAdded: true},
		{name: "all kept", have: map[string]string{"/a": "old"}, targets: []string{"/a"}, want: map[string]string{"/a": "old"}},
		{name: "kept and fresh", have: map[string]string{"/a": "old", "/gone": "x"}, targets: []string{"/a", "/b"},
			want: map[string]string{"/a": "old", "/b": "new1"}, wantAdded: true},
		{name: "none", want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			gen := func() string { n++; return fmt.Sprintf("new%d", n) }
			got, added := assignAnonymous(tt.have, tt.targets, gen)
			if !cmp.Equal(got, tt.want) || added != tt.wantAdded {
				t.Errorf("assignAnonymous(%v, %q) = %v, %v, want %v, %v", tt.have, tt.targets, got, added, tt.want, tt.wantAdded)
			}
		})
	}
}

// TestHandOver follows a recreation: the inherited volume survives the removal of the
// old container, the dropped one does not, and the new container takes it over.
func TestHandOver(t *testing.T) {
	cfg := Config{Root: t.TempDir()}
	old := &ContainerState{ID: "old", Name: "p-s-1", Service: "s", Number: 1,
		AnonymousVolumes: map[string]string{"/keep": "k1", "/drop": "d1"}}
	r := &run{cfg: cfg, st: &State{Name: "p", Containers: []*ContainerState{old}}}
	for _, id := range []string{"k1", "d1"} {
		if err := os.MkdirAll(mustPath(cfg.VolumeDir(id)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	svc := compose.ServiceConfig{Name: "s", Volumes: []compose.ServiceVolumeConfig{{Type: "volume", Target: "/keep"}}}
	keep, err := r.handOver(old, svc, v1.Config{}, false)
	if err != nil {
		t.Fatalf("handOver: %v", err)
	}
	if want := map[string]string{"/keep": "k1"}; !cmp.Equal(keep, want) {
		t.Errorf("handOver() = %v, want %v", keep, want)
	}
	if st, err := cfg.LoadState("p"); err != nil || !cmp.Equal(st.HandedOver, []string{"k1"}) {
		t.Errorf("saved HandedOver = %v (%v), want [k1]", st.HandedOver, err)
	}
	if err := r.removeAnonymousVolumes(old); err != nil {
		t.Fatalf("removeAnonymousVolumes: %v", err)
	}
	if _, err := os.Stat(mustPath(cfg.VolumeDir("k1"))); err != nil {
		t.Errorf("inherited volume removed: %v", err)
	}
	if _, err := os.Stat(mustPath(cfg.VolumeDir("d1"))); !os.IsNotExist(err) {
		t.Errorf("dropped volume: stat = %v, want not exist", err)
	}
	c := &ContainerState{ID: "new"}
	r.takeOver(c, keep)
	if !cmp.Equal(c.AnonymousVolumes, keep) || len(r.st.HandedOver) != 0 {
		t.Errorf("takeOver: container has %v, HandedOver %v; want %v, none", c.AnonymousVolumes, r.st.HandedOver, keep)
	}
	if keep, _ := r.handOver(c, svc, v1.Config{}, true); len(keep) != 0 || len(r.st.HandedOver) != 0 {
		t.Errorf("handOver(renew) = %v, HandedOver %v; want none", keep, r.st.HandedOver)
	}
}
