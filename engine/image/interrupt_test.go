package image

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// TestBadLayerLeavesNothing: a layer whose content does not match its diffID (as a
// truncated or corrupted download) leaves no layer dir, no temp dir and no image.
func TestBadLayerLeavesNothing(t *testing.T) {
	s := openStore(t)
	l, err := random.Layer(4096, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err != nil {
		t.Fatal(err)
	}
	wrong := v1.Hash{Algorithm: "sha256", Hex: "0000000000000000000000000000000000000000000000000000000000000000"}
	if _, err := s.ensureLayer(wrong, l, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("ensureLayer(wrong diffID) = %v, want ErrInvalid", err)
	}
	for _, d := range []string{"layers", "tmp"} {
		names, err := os.ReadDir(filepath.Join(s.root, d))
		if err != nil || len(names) != 0 {
			t.Errorf("%s after failed layer = %v, %v, want empty", d, names, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.add(ctx, randomImage(t, 1), []string{"docker.io/x/y:1"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("add(cancelled) = %v, want context.Canceled", err)
	}
	if list, err := s.List(); err != nil || len(list) != 0 {
		t.Errorf("List() after cancelled add = %v, %v, want none", list, err)
	}
}
