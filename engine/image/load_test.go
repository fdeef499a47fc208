package image

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func TestLoadDockerArchive(t *testing.T) {
	a, b := randomImage(t, 2), randomImage(t, 1)
	refs := map[name.Reference]v1.Image{}
	for ref, img := range map[string]v1.Image{"redis:7": a, "example.com/x/y:1": b, "redis:latest": a} {
		tag, err := name.NewTag(ref)
		if err != nil {
			t.Fatal(err)
		}
		refs[tag] = img
	}
	var buf bytes.Buffer
	if err := tarball.MultiRefWrite(refs, &buf); err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	imgs, err := s.Load(context.Background(), &buf)
	if err != nil {
		t.Fatalf("Load(docker archive) = %v", err)
	}
	if len(imgs) != 2 {
		t.Errorf("Load() returned %d images, want 2", len(imgs))
	}
	got, err := s.Get("redis:7")
	if err != nil {
		t.Fatalf("Get(redis:7) = %v", err)
	}
	tags := append([]string(nil), got.RepoTags...)
	sort.Strings(tags)
	if diff := cmp.Diff([]string{"docker.io/library/redis:7", "docker.io/library/redis:latest"}, tags); diff != "" {
		t.Errorf("RepoTags (-want +got):\n%s", diff)
	}
	if _, err := s.Get("example.com/x/y:1"); err != nil {
		t.Errorf("Get(example.com/x/y:1) = %v", err)
	}
	if dirs, err := s.LayerDirs(got); err != nil || len(dirs) != 2 {
		t.Errorf("LayerDirs(redis:7) = %v, %v, want 2 dirs", dirs, err)
	}
}

func TestLoadOCIArchive(t *testing.T) {
	img := randomImage(t, 2)
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "quay.io/berth/oci:2"})); err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	imgs, err := s.Load(context.Background(), tarDir(t, dir))
	if err != nil {
		t.Fatalf("Load(OCI archive) = %v", err)
	}
	want, _ := img.ConfigName()
	if len(imgs) != 1 || imgs[0].ID != want.String() {
		t.Fatalf("Load(OCI archive) = %v, want one image %s", imgs, want)
	}
	if _, err := s.Get("quay.io/berth/oci:2"); err != nil {
		t.Errorf("Get(quay.io/berth/oci:2) = %v", err)
	}
}

func TestLoadInvalid(t *testing.T) {
	s := openStore(t)
	_, err := s.Load(context.Background(), makeTar(t, []entry{{name: "hello", typ: tar.TypeReg, body: "x"}}))
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("Load(not an image archive) = %v, want ErrInvalid", err)
	}
}

// tarDir archives dir's regular files and directories.
func tarDir(t *testing.T, dir string) io.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		hdr, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		hdr.Name = rel
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestImport(t *testing.T) {
	s := openStore(t)
	rootfs := makeTar(t, []entry{
		{name: "bin/", typ: tar.TypeDir, mode: 0o755},
		{name: "bin/hello", typ: tar.TypeReg, body: "#!/bin/sh\necho hi\n", mode: 0o755},
	})
	changes := []string{`CMD ["/bin/hello"]`, "ENV GREETING=hi", "WORKDIR /bin", "EXPOSE 8080", "USER 1000"}
	img, err := s.Import(context.Background(), rootfs, "berth/imported:1", changes)
	if err != nil {
		t.Fatalf("Import() = %v", err)
	}
	c := img.Config.Config
	if diff := cmp.Diff([]string{"/bin/hello"}, c.Cmd); diff != "" {
		t.Errorf("Cmd (-want +got):\n%s", diff)
	}
	if c.WorkingDir != "/bin" || c.User != "1000" || len(c.Env) != 1 || len(c.ExposedPorts) != 1 {
		t.Errorf("Config = %+v, want WorkingDir /bin, User 1000, Env GREETING=hi, port 8080/tcp", c)
	}
	dirs, err := s.LayerDirs(img)
	if err != nil || len(dirs) != 1 {
		t.Fatalf("LayerDirs() = %v, %v, want 1 dir", dirs, err)
	}
	if b, err := os.ReadFile(filepath.Join(dirs[0], "bin/hello")); err != nil || string(b) != "#!/bin/sh\necho hi\n" {
		t.Errorf("bin/hello = %q, %v", b, err)
	}
	list, err := s.List()
	if err != nil || len(list) != 1 || list[0].RepoTags[0] != "docker.io/berth/imported:1" {
		t.Errorf("List() = %v, %v, want docker.io/berth/imported:1", list, err)
	}
	if _, err := s.Import(context.Background(), rootfs, "x", []string{"FROB x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Import(change FROB) = %v, want ErrInvalid", err)
	}
}
