package apply

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project/internal/state"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

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
	paths := state.Paths{Root: t.TempDir()}
	old := &state.ContainerState{ID: "old", Name: "p-s-1", Service: "s", Number: 1,
		AnonymousVolumes: map[string]string{"/keep": "k1", "/drop": "d1"}}
	st := &state.State{Name: "p", Containers: []*state.ContainerState{old}}
	tg := Target{St: st, Paths: paths, Save: func() error { return paths.Save(st) }}
	var mu sync.Mutex
	for _, id := range []string{"k1", "d1"} {
		if err := os.MkdirAll(mustPath(paths.VolumeDir(id)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	svc := compose.ServiceConfig{Name: "s", Volumes: []compose.ServiceVolumeConfig{{Type: "volume", Target: "/keep"}}}
	keep, err := HandOver(tg, &mu, old, svc, v1.Config{}, false)
	if err != nil {
		t.Fatalf("HandOver: %v", err)
	}
	if want := map[string]string{"/keep": "k1"}; !cmp.Equal(keep, want) {
		t.Errorf("HandOver() = %v, want %v", keep, want)
	}
	if st, err := paths.Load("p"); err != nil || !cmp.Equal(st.HandedOver, []string{"k1"}) {
		t.Errorf("saved HandedOver = %v (%v), want [k1]", st.HandedOver, err)
	}
	if err := RemoveAnonymous(tg, &mu, old); err != nil {
		t.Fatalf("RemoveAnonymous: %v", err)
	}
	if _, err := os.Stat(mustPath(paths.VolumeDir("k1"))); err != nil {
		t.Errorf("inherited volume removed: %v", err)
	}
	if _, err := os.Stat(mustPath(paths.VolumeDir("d1"))); !os.IsNotExist(err) {
		t.Errorf("dropped volume: stat = %v, want not exist", err)
	}
	c := &state.ContainerState{ID: "new"}
	TakeOver(tg, &mu, c, keep)
	if !cmp.Equal(c.AnonymousVolumes, keep) || len(st.HandedOver) != 0 {
		t.Errorf("TakeOver: container has %v, HandedOver %v; want %v, none", c.AnonymousVolumes, st.HandedOver, keep)
	}
	if keep, _ := HandOver(tg, &mu, c, svc, v1.Config{}, true); len(keep) != 0 || len(st.HandedOver) != 0 {
		t.Errorf("HandOver(renew) = %v, HandedOver %v; want none", keep, st.HandedOver)
	}
}

// mustPath returns a path helper's result where a test's names are valid.
func mustPath(p string, err error) string {
	if err != nil {
		panic(err)
	}
	return p
}
