package image

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TestLoadDuplicateLayer: a docker-save archive whose image lists one layer twice
// (as Docker writes for a COPY and a later step with the same diff) loads, with both
// entries kept in the image and one unpacked dir (the engine mounts it once).
func TestLoadDuplicateLayer(t *testing.T) {
	l1, err := random.Layer(512, "application/vnd.docker.image.rootfs.diff.tar.gzip")
	if err != nil {
		t.Fatal(err)
	}
	l2, err := random.Layer(512, "application/vnd.docker.image.rootfs.diff.tar.gzip")
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(randomImage(t, 0), l1, l2, l1)
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag("dup:1")
	var buf bytes.Buffer
	if err := tarball.MultiRefWrite(map[name.Reference]v1.Image{tag: img}, &buf); err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	if _, err := s.Load(context.Background(), &buf); err != nil {
		t.Fatalf("Load(image with a layer twice) = %v", err)
	}
	got, err := s.Get("dup:1")
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := s.LayerDirs(got)
	if err != nil || len(dirs) != 3 || dirs[0] != dirs[2] {
		t.Errorf("LayerDirs = %v, %v; want 3 with the first and last the same", dirs, err)
	}
}
