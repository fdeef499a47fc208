package image

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/internal/testenv"
)

// upperDir makes an overlay upper dir: a new file, a whiteout of etc/l and the opaque
// directory gone/ with one new file.
func upperDir(t *testing.T) string {
	t.Helper()
	testenv.RequiresRoot(t)
	dir := t.TempDir()
	for _, d := range []string{"etc", "gone", "srv"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "srv/new"), []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gone/fresh"), []byte("fresh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(dir, "etc/l"), unix.S_IFCHR, 0); err != nil {
		t.Fatal(err)
	}
	if err := unix.Setxattr(filepath.Join(dir, "gone"), opaqueXattr, []byte("y"), 0); err != nil {
		t.Skipf("skipping: %s takes no trusted xattrs: %v", dir, err)
	}
	return dir
}

// TestCommit: the upper dir becomes a layer on top of the base's, with its whiteout and
// opaque dir; the config is the container's with the changes, author and message.
func TestCommit(t *testing.T) {
	s := openStore(t)
	base := savedImage(t, s)
	upper := upperDir(t)
	now := time.Unix(1800000000, 0).UTC()
	img, err := s.Commit(base, upper, CommitOptions{
		Config:  v1Config(),
		Changes: []string{"ENV B=2", `CMD ["/bin/other"]`},
		Author:  "Ann <ann@example.com>", Comment: "snapshot", CreatedBy: "/bin/tool serve",
		Tag: "committed/app:2", Now: now,
	})
	if err != nil {
		t.Fatalf("Commit() = %v", err)
	}
	if len(img.Layers) != 3 || img.Layers[1] != base.Layers[1] {
		t.Fatalf("Commit().Layers = %v, want base's two and one more", img.Layers)
	}
	if got, err := s.Get("committed/app:2"); err != nil || got.ID != img.ID {
		t.Errorf("Get(tag) = %v, %v, want the committed image", got, err)
	}
	c := img.Config
	if diff := cmp.Diff([]string{"PATH=/bin", "A=1", "B=2"}, c.Config.Env); diff != "" {
		t.Errorf("Env (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/bin/other"}, c.Config.Cmd); diff != "" {
		t.Errorf("Cmd (-want +got):\n%s", diff)
	}
	last := c.History[len(c.History)-1]
	if c.Author != "Ann <ann@example.com>" || last.Comment != "snapshot" || last.CreatedBy != "/bin/tool serve" || !last.Created.Equal(now) {
		t.Errorf("Author %q, last history %+v", c.Author, last)
	}
	got := tree(t, s.LayerDir(img.Layers[2]))
	for _, want := range []string{"srv/new", "gone/fresh", "etc/l"} {
		if _, ok := got[want]; !ok {
			t.Errorf("committed layer lacks %s: %v", want, got)
		}
	}
	if !strings.Contains(got["gone"], opaqueXattr+"=y") {
		t.Errorf("committed gone/ = %q, want it opaque", got["gone"])
	}
}

func TestCommitRefused(t *testing.T) {
	s := openStore(t)
	base := savedImage(t, s)
	upper := upperDir(t)
	if _, err := s.Commit(base, upper, CommitOptions{Changes: []string{"FROBNICATE x"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Commit(bad change) = %v, want ErrInvalid", err)
	}
	if _, err := s.Commit(base, upper, CommitOptions{Tag: "Bad Tag"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Commit(bad tag) = %v, want ErrInvalid", err)
	}
	if err := unix.Setxattr(filepath.Join(upper, "srv"), "trusted.overlay.redirect", []byte("/old"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(base, upper, CommitOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Commit(redirected dir) = %v, want ErrInvalid", err)
	}
}

// v1Config is a container's config: its image's PATH and one variable of its own.
func v1Config() v1.Config {
	return v1.Config{Env: []string{"PATH=/bin", "A=1"}, Cmd: []string{"/bin/tool", "serve"}}
}
