package image

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestAddLayer(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := makeTar(t, []entry{{name: "etc/", typ: tar.TypeDir, mode: 0o755}, {name: "etc/motd", typ: tar.TypeReg, body: "hello"}})
	raw, _ := io.ReadAll(r)
	r.Seek(0, io.SeekStart)
	desc, err := s.AddLayer(r)
	if err != nil {
		t.Fatalf("AddLayer = %v", err)
	}
	sum := sha256.Sum256(raw)
	if want := "sha256:" + hex.EncodeToString(sum[:]); desc.Digest.String() != want || desc.Size != int64(len(raw)) {
		t.Errorf("AddLayer = %s (%d bytes), want %s (%d bytes)", desc.Digest, desc.Size, want, len(raw))
	}
	if desc.MediaType != types.OCIUncompressedLayer {
		t.Errorf("AddLayer media type = %s, want %s", desc.MediaType, types.OCIUncompressedLayer)
	}
	if b, err := os.ReadFile(filepath.Join(s.LayerDir(desc.Digest), "etc/motd")); err != nil || string(b) != "hello" {
		t.Errorf("layer etc/motd = %q, %v, want hello", b, err)
	}
	r.Seek(0, io.SeekStart)
	again, err := s.AddLayer(r)
	if err != nil || again.Digest != desc.Digest {
		t.Errorf("AddLayer of the same tar = %v, %v, want %s", again.Digest, err, desc.Digest)
	}
	if !s.HasLayer(desc.Digest) {
		t.Errorf("HasLayer(%s) = false after AddLayer", desc.Digest)
	}
	bad := makeTar(t, []entry{{name: "../escape", typ: tar.TypeReg, body: "x"}})
	if _, err := s.AddLayer(bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddLayer with ../escape = %v, want ErrInvalid", err)
	}
}

func TestAddImage(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	desc, err := s.AddLayer(makeTar(t, []entry{{name: "hello", typ: tar.TypeReg, body: "hi", mode: 0o755}}))
	if err != nil {
		t.Fatalf("AddLayer = %v", err)
	}
	cfg := &v1.ConfigFile{Architecture: "amd64", OS: "linux", Created: v1.Time{Time: time.Unix(1700000000, 0).UTC()},
		Config: v1.Config{Cmd: []string{"/hello"}}, RootFS: v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{desc.Digest}}}
	img, err := s.AddImage(cfg, []v1.Descriptor{desc}, []string{"built:1"})
	if err != nil {
		t.Fatalf("AddImage = %v", err)
	}
	got, err := s.Get("built:1")
	if err != nil || got.ID != img.ID {
		t.Fatalf("Get(built:1) = %v, %v, want image %s", got, err, img.ID)
	}
	if len(got.Config.Config.Cmd) != 1 || got.Config.Config.Cmd[0] != "/hello" {
		t.Errorf("stored Cmd = %v, want [/hello]", got.Config.Config.Cmd)
	}
	m, err := s.Manifest(got)
	if err != nil {
		t.Fatalf("Manifest = %v", err)
	}
	if len(m.Layers) != 1 || m.Layers[0].Digest != desc.Digest || m.Config.Digest.String() != img.ID {
		t.Errorf("Manifest = %+v, want config %s and layer %s", m, img.ID, desc.Digest)
	}
	again, err := s.AddImage(cfg, []v1.Descriptor{desc}, []string{"built:2"})
	if err != nil || again.ID != img.ID {
		t.Fatalf("AddImage again = %v, %v, want the same ID %s", again, err, img.ID)
	}
	if len(again.RepoTags) != 2 {
		t.Errorf("RepoTags = %v, want built:1 and built:2", again.RepoTags)
	}
	missing := *cfg
	missing.RootFS.DiffIDs = []v1.Hash{{Algorithm: "sha256", Hex: hex.EncodeToString(make([]byte, 32))}}
	if _, err := s.AddImage(&missing, []v1.Descriptor{desc}, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("AddImage with a missing layer = %v, want ErrNotFound", err)
	}
	if _, err := s.AddImage(cfg, nil, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddImage without descriptors = %v, want ErrInvalid", err)
	}
}
