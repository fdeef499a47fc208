package image

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// uploadProxy fronts the registry and counts blob uploads started (POST .../blobs/uploads/).
func uploadProxy(t *testing.T, addr string) (string, *atomic.Int64) {
	t.Helper()
	return proxyCounting(t, addr, http.MethodPost, "/blobs/uploads")
}

// TestPushBuiltImage: an image made in the store (no blobs of its own) is pushed with
// gzip blobs made from its layers; the registry's copy is valid, a second push uploads
// nothing, and the image pulled back into another store has the same files and config.
func TestPushBuiltImage(t *testing.T) {
	reg := startRegistry(t, "", "")
	addr, uploads := uploadProxy(t, reg)
	s := openStore(t)
	stored := savedImage(t, s)
	ref := addr + "/berth/built:1"
	if err := s.Tag(stored.ID, ref); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var progress strings.Builder
	digest, err := s.Push(ctx, ref, PushOptions{Progress: &progress})
	if err != nil {
		t.Fatalf("Push() = %v", err)
	}
	if n := strings.Count(progress.String(), ": Pushed\n"); n != 2 {
		t.Errorf("Push() progress = %q, want 2 Pushed layers", progress.String())
	}
	r, _ := name.ParseReference(ref)
	remoteImg, err := remote.Image(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(remoteImg); err != nil {
		t.Errorf("pushed image does not validate: %v", err)
	}
	if got, _ := remoteImg.Digest(); got != digest {
		t.Errorf("registry digest %s, Push() = %s", got, digest)
	}

	uploads.Store(0)
	progress.Reset()
	again, err := s.Push(ctx, ref, PushOptions{Progress: &progress})
	if err != nil {
		t.Fatalf("second Push() = %v", err)
	}
	if again != digest || uploads.Load() != 0 {
		t.Errorf("second Push() = %s with %d uploads, want %s with none", again, uploads.Load(), digest)
	}
	if n := strings.Count(progress.String(), ": Layer already exists\n"); n != 2 {
		t.Errorf("second Push() progress = %q, want 2 layers already there", progress.String())
	}

	other := openStore(t)
	back, err := other.Pull(ctx, ref, PullOptions{})
	if err != nil {
		t.Fatalf("Pull() = %v", err)
	}
	if diff := cmp.Diff(stored.Config.Config, back.Config.Config); diff != "" {
		t.Errorf("pulled back config differs (-pushed +pulled):\n%s", diff)
	}
	for i := range stored.Layers {
		if diff := cmp.Diff(tree(t, s.LayerDir(stored.Layers[i])), tree(t, other.LayerDir(back.Layers[i]))); diff != "" {
			t.Errorf("layer %d differs (-pushed +pulled):\n%s", i, diff)
		}
	}
}

// TestPushPulledImage: a pulled image pushed under another name keeps its manifest
// digest (its blobs were kept), and removing it removes its kept blobs.
func TestPushPulledImage(t *testing.T) {
	reg := startRegistry(t, "", "")
	img := randomImage(t, 2)
	push(t, reg+"/berth/origin:1", img)
	s := openStore(t)
	ctx := context.Background()
	pulled, err := s.Pull(ctx, reg+"/berth/origin:1", PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	copyRef := reg + "/berth/copy:1"
	if err := s.Tag(pulled.ID, copyRef); err != nil {
		t.Fatal(err)
	}
	digest, err := s.Push(ctx, copyRef, PushOptions{})
	if err != nil {
		t.Fatalf("Push() = %v", err)
	}
	if want, _ := img.Digest(); digest != want {
		t.Errorf("Push() of a pulled image = %s, want its pulled digest %s", digest, want)
	}
	blobs, _ := os.ReadDir(filepath.Join(s.root, "compressed"))
	if len(blobs) != 2 {
		t.Errorf("kept blob records = %d, want 2", len(blobs))
	}
	if _, err := s.Prune(PruneOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"compressed", "blobs/sha256"} {
		if left, _ := os.ReadDir(filepath.Join(s.root, d)); len(left) != 0 {
			t.Errorf("after Prune %s holds %d entries, want none", d, len(left))
		}
	}
}

func TestPushRefused(t *testing.T) {
	s := openStore(t)
	stored := savedImage(t, s)
	for _, tt := range []struct {
		ref  string
		want error
	}{
		{"nothere/app:1", ErrNotFound},
		{stored.ID, ErrInvalid},
		{"Bad Name", ErrInvalid},
	} {
		if _, err := s.Push(context.Background(), tt.ref, PushOptions{}); !errors.Is(err, tt.want) {
			t.Errorf("Push(%q) = %v, want %v", tt.ref, err, tt.want)
		}
	}
}
