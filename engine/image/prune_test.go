package image

import (
	"context"
	"os"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// storeWithImages holds "base" (2 layers), "child" (base's layers and one more) and
// an untagged image sharing nothing.
func storeWithImages(t *testing.T) (s *Store, base, child, dangling *Image) {
	t.Helper()
	s = openStore(t)
	ctx := context.Background()
	bimg := randomImage(t, 2)
	l, err := random.Layer(512, "application/vnd.oci.image.layer.v1.tar")
	if err != nil {
		t.Fatal(err)
	}
	cimg, err := mutate.AppendLayers(bimg, l)
	if err != nil {
		t.Fatal(err)
	}
	if base, err = s.add(ctx, bimg, []string{"docker.io/library/base:1"}, nil); err != nil {
		t.Fatal(err)
	}
	if child, err = s.add(ctx, cimg, []string{"docker.io/library/child:1"}, nil); err != nil {
		t.Fatal(err)
	}
	if dangling, err = s.add(ctx, randomImage(t, 1), nil, nil); err != nil {
		t.Fatal(err)
	}
	return s, base, child, dangling
}

func ids(imgs []*Image) []string {
	var out []string
	for _, i := range imgs {
		out = append(out, i.ID)
	}
	slices.Sort(out)
	return out
}

func TestPrune(t *testing.T) {
	tests := []struct {
		name     string
		all      bool
		inUse    string // "base", "child" or ""
		keepBase bool   // base's bottom layer is in KeepLayers
		onlyBase bool   // Match accepts base and the dangling image only
		want     []string
	}{
		{name: "all, matching only", all: true, onlyBase: true, want: []string{"child"}},
		{name: "dangling only", want: []string{"base", "child"}},
		{name: "all", all: true, want: nil},
		{name: "all but the one a container uses", all: true, inUse: "child", want: []string{"child"}},
		{name: "all, kept layer stays", all: true, keepBase: true, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, base, child, dangling := storeWithImages(t)
			named := map[string]*Image{"base": base, "child": child}
			opts := PruneOptions{All: tt.all, InUse: func(img *Image) bool {
				return tt.inUse != "" && img.ID == named[tt.inUse].ID
			}}
			if tt.onlyBase {
				opts.Match = func(img *Image) bool { return img.ID != child.ID }
			}
			if tt.keepBase {
				opts.KeepLayers = map[string]bool{base.Layers[0].String(): true}
			}
			rep, err := s.Prune(opts)
			if err != nil {
				t.Fatalf("Prune() = %v", err)
			}
			left, _ := s.List()
			var want []*Image
			for _, n := range tt.want {
				want = append(want, named[n])
			}
			if got, w := ids(left), ids(want); !slices.Equal(got, w) {
				t.Errorf("images left = %v, want %v", got, w)
			}
			if !slices.Contains(rep.Deleted, dangling.ID) || rep.Reclaimed <= 0 {
				t.Errorf("report = %+v, want %s deleted and bytes reclaimed", rep, dangling.ID)
			}
			checkLayers(t, s, left, opts.KeepLayers, []*Image{base, child, dangling})
		})
	}
}

// checkLayers: the layers of the images left and the kept ones are there, every
// other layer of all is gone, and nothing is left in tmp.
func checkLayers(t *testing.T, s *Store, left []*Image, keep map[string]bool, all []*Image) {
	t.Helper()
	want := map[string]bool{}
	for d := range keep {
		want[d] = true
	}
	for _, img := range left {
		if _, err := s.LayerDirs(img); err != nil {
			t.Errorf("image %s left without its layers: %v", img.ID, err)
		}
		for _, l := range img.Layers {
			want[l.String()] = true
		}
	}
	for _, img := range all {
		for _, l := range img.Layers {
			if got := s.HasLayer(l); got != want[l.String()] {
				t.Errorf("layer %s present = %v, want %v", l, got, want[l.String()])
			}
		}
	}
	if ents, _ := os.ReadDir(s.root + "/tmp"); len(ents) != 0 {
		t.Errorf("tmp holds %d entries after a removal", len(ents))
	}
}

// TestPruneInterrupted: a removal stopped after the index dropped the image but
// before its layers went (journal written, files still there) leaves a store whose
// index names only present layers, and the next Prune finishes the removal without
// touching what a remaining image uses.
func TestPruneInterrupted(t *testing.T) {
	s, base, child, dangling := storeWithImages(t)
	unlock, err := s.lock()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := s.readIndex()
	if err != nil {
		t.Fatal(err)
	}
	delete(idx.Images, child.ID)
	delete(idx.Images, dangling.ID)
	var j journal
	for _, img := range []*Image{child, dangling} {
		for _, l := range img.Layers {
			j.Layers = append(j.Layers, l.String()) // base's shared layers too: must stay
		}
		j.Blobs = append(j.Blobs, img.ID, img.Digest)
	}
	if err := s.writeJournal(&j); err != nil {
		t.Fatal(err)
	}
	if err := s.writeIndex(idx); err != nil {
		t.Fatal(err)
	}
	unlock() // "killed" here
	left, err := s.List()
	if err != nil || !slices.Equal(ids(left), []string{base.ID}) {
		t.Fatalf("List() after interruption = %v, %v, want only base", ids(left), err)
	}
	if _, err := s.LayerDirs(base); err != nil {
		t.Fatalf("base lost a layer: %v", err)
	}
	rep, err := s.Prune(PruneOptions{})
	if err != nil {
		t.Fatalf("Prune() = %v", err)
	}
	if rep.Reclaimed <= 0 {
		t.Errorf("Prune() reclaimed %d, want the interrupted removal's bytes", rep.Reclaimed)
	}
	checkLayers(t, s, []*Image{base}, nil, []*Image{base, child, dangling})
	if _, err := os.Stat(s.journalPath()); !os.IsNotExist(err) {
		t.Errorf("journal left after recovery: %v", err)
	}
}

func TestTag(t *testing.T) {
	s, base, child, _ := storeWithImages(t)
	if err := s.Tag("base:1", "mine/app:v2"); err != nil {
		t.Fatalf("Tag() = %v", err)
	}
	if err := s.Tag("child:1", "mine/app:v2"); err != nil { // moves the tag
		t.Fatalf("Tag() = %v", err)
	}
	if got, _ := s.Get("mine/app:v2"); got == nil || got.ID != child.ID {
		t.Errorf("Get(mine/app:v2) = %v, want child %s", got, child.ID)
	}
	if got, _ := s.Get(base.ID); slices.Contains(got.RepoTags, "docker.io/mine/app:v2") {
		t.Errorf("base still holds the moved tag: %v", got.RepoTags)
	}
	for _, bad := range [][2]string{{"nope:1", "x:1"}, {"base:1", "Bad Name"}, {"base:1", "x@" + base.Digest}} {
		if err := s.Tag(bad[0], bad[1]); err == nil {
			t.Errorf("Tag(%q, %q) = nil, want an error", bad[0], bad[1])
		}
	}
}

func TestHistory(t *testing.T) {
	s := openStore(t)
	img := randomImage(t, 2)
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.History = []v1.History{{CreatedBy: "ADD rootfs"}, {CreatedBy: "ENV A=1", EmptyLayer: true}, {CreatedBy: "RUN make"}}
	img, err := mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.add(context.Background(), img, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := s.History(stored)
	var by []string
	for _, e := range h {
		by = append(by, e.CreatedBy)
	}
	if !slices.Equal(by, []string{"RUN make", "ENV A=1", "ADD rootfs"}) {
		t.Errorf("History() steps = %q, want newest first", by)
	}
	if h[0].Size != s.LayerSize(stored.Layers[1]) || h[1].Size != 0 || h[2].Size != s.LayerSize(stored.Layers[0]) || h[0].Size == 0 {
		t.Errorf("History() sizes = %d %d %d, want top layer, 0, bottom layer", h[0].Size, h[1].Size, h[2].Size)
	}
}
