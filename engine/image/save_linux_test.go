package image

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"golang.org/x/sys/unix"
)

// savedImage stores a two-layer image whose top layer holds a whiteout, an opaque
// directory and an xattr, over a base with a symlink, a hard link and a device node.
func savedImage(t *testing.T, s *Store) *Image {
	t.Helper()
	base, err := s.AddLayer(makeTar(t, []entry{
		{name: "etc/", typ: tar.TypeDir, mode: 0o755},
		{name: "etc/a", typ: tar.TypeReg, body: "A\n"},
		{name: "etc/b", typ: tar.TypeLink, link: "etc/a"},
		{name: "etc/l", typ: tar.TypeSymlink, link: "a"},
		{name: "dev/", typ: tar.TypeDir, mode: 0o755},
		{name: "dev/null", typ: tar.TypeChar, mode: 0o666, major: 1, minor: 3},
		{name: "gone/", typ: tar.TypeDir, mode: 0o700},
		{name: "gone/x", typ: tar.TypeReg, body: "x"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	top, err := s.AddLayer(makeTar(t, []entry{
		{name: "etc/.wh.a", typ: tar.TypeReg},
		{name: "gone/", typ: tar.TypeDir, mode: 0o700},
		{name: "gone/.wh..wh..opq", typ: tar.TypeReg},
		{name: "bin/", typ: tar.TypeDir, mode: 0o755},
		{name: "bin/tool", typ: tar.TypeReg, body: "#!/bin/sh\n", mode: 0o4755, xattrs: map[string]string{"user.berth": "yes"}},
	}))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &v1.ConfigFile{Architecture: "amd64", OS: "linux", Created: v1.Time{Time: time.Unix(1700000000, 0).UTC()},
		Config:  v1.Config{Cmd: []string{"/bin/tool"}, Env: []string{"PATH=/bin"}},
		RootFS:  v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{base.Digest, top.Digest}},
		History: []v1.History{{CreatedBy: "ADD base"}, {CreatedBy: "ENV PATH=/bin", EmptyLayer: true}, {CreatedBy: "COPY tool"}}}
	img, err := s.AddImage(cfg, []v1.Descriptor{base, top}, []string{"save/me:1"})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestSaveLoadRoundTrip: an image saved in either format and loaded into another store
// has the same name, config, history and files (whiteouts and opaque dirs included).
func TestSaveLoadRoundTrip(t *testing.T) {
	testenv.RequiresRoot(t)
	for _, format := range []string{FormatDocker, FormatOCI} {
		t.Run(format, func(t *testing.T) {
			s := openStore(t)
			img := savedImage(t, s)
			var buf bytes.Buffer
			if err := s.Save([]string{"save/me:1"}, format, &buf); err != nil {
				t.Fatalf("Save() = %v", err)
			}
			validateArchive(t, format, buf.Bytes())
			other := openStore(t)
			loaded, err := other.Load(context.Background(), &buf)
			if err != nil || len(loaded) != 1 {
				t.Fatalf("Load(saved) = %v, %v; want one image", loaded, err)
			}
			got := loaded[0]
			if !cmp.Equal(got.RepoTags, []string{"docker.io/save/me:1"}) {
				t.Errorf("loaded tags = %v, want docker.io/save/me:1", got.RepoTags)
			}
			if diff := cmp.Diff(img.Config.Config, got.Config.Config); diff != "" {
				t.Errorf("loaded config differs (-saved +loaded):\n%s", diff)
			}
			if diff := cmp.Diff(img.Config.History, got.Config.History); diff != "" {
				t.Errorf("loaded history differs (-saved +loaded):\n%s", diff)
			}
			if len(got.Layers) != len(img.Layers) {
				t.Fatalf("loaded %d layers, want %d", len(got.Layers), len(img.Layers))
			}
			for i := range img.Layers {
				want, have := tree(t, s.LayerDir(img.Layers[i])), tree(t, other.LayerDir(got.Layers[i]))
				if diff := cmp.Diff(want, have); diff != "" {
					t.Errorf("layer %d differs after save and load (-saved +loaded):\n%s", i, diff)
				}
			}
			if ents, _ := os.ReadDir(filepath.Join(s.root, "tmp")); len(ents) != 0 {
				t.Errorf("Save left %d entries in tmp", len(ents))
			}
		})
	}
}

func TestSaveRefused(t *testing.T) {
	s := openStore(t)
	if err := s.Save([]string{"nope:1"}, FormatDocker, &bytes.Buffer{}); err == nil {
		t.Errorf("Save(unknown image) = nil, want an error")
	}
	if err := s.Save(nil, "zip", &bytes.Buffer{}); err == nil {
		t.Errorf("Save(format zip) = nil, want an error")
	}
}

func TestWriteLayerTarIsStable(t *testing.T) {
	testenv.RequiresRoot(t)
	s := openStore(t)
	img := savedImage(t, s)
	var a, b bytes.Buffer
	if err := s.WriteLayerTar(img.Layers[1], &a); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteLayerTar(img.Layers[1], &b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("WriteLayerTar twice gave different bytes")
	}
}

// tree describes every entry under dir: type, mode, owner, device, link, content and
// xattrs.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		desc := fmt.Sprintf("mode=%o uid=%d gid=%d rdev=%d nlink=%d", st.Mode, st.Uid, st.Gid, st.Rdev, st.Nlink)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			desc += " -> " + l
		case d.Type().IsRegular():
			b, _ := os.ReadFile(p)
			desc += " " + string(b)
		}
		whiteout := st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0 // its time is the unpack's
		if rel != "." && !whiteout {
			desc += fmt.Sprintf(" mtime=%d", st.Mtim.Sec)
		}
		for _, x := range []string{"user.berth", opaqueXattr} {
			if v, err := getxattr(p, x); err == nil {
				desc += " " + x + "=" + string(v)
			}
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// validateArchive checks the archive with go-containerregistry's validator: every
// digest, size and diffID in it is what its bytes are.
func validateArchive(t *testing.T, format string, b []byte) {
	t.Helper()
	dir := t.TempDir()
	if format == FormatDocker {
		path := filepath.Join(dir, "a.tar")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		tag, _ := name.NewTag("save/me:1")
		img, err := tarball.ImageFromPath(path, &tag)
		if err != nil {
			t.Fatalf("read docker archive: %v", err)
		}
		if err := validate.Image(img); err != nil {
			t.Errorf("docker archive: %v", err)
		}
		return
	}
	if err := extractArchive(dir, bytes.NewReader(b)); err != nil {
		t.Fatalf("extract OCI archive: %v", err)
	}
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("read OCI layout: %v", err)
	}
	// validate reads every layer as gzip; the spec's uncompressed layers are
	// checked by digest here instead.
	if err := validate.Index(idx, validate.Fast); err != nil {
		t.Errorf("OCI layout: %v", err)
	}
	blobs, _ := filepath.Glob(filepath.Join(dir, "blobs", "sha256", "*"))
	for _, p := range blobs {
		b, _ := os.ReadFile(p)
		if got := sha256Hash(b).Hex; got != filepath.Base(p) {
			t.Errorf("OCI blob %s has digest %s", filepath.Base(p), got)
		}
	}
	if len(blobs) != 4 {
		t.Errorf("OCI layout has %d blobs, want 4 (2 layers, config, manifest)", len(blobs))
	}
}
