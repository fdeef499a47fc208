package builder

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
	"golang.org/x/sys/unix"
)

// TestLayerFS checks the merged view against overlayfs's rules: whiteouts, opaque
// directories, files replacing directories, and symlinks resolved inside the view.
func TestLayerFS(t *testing.T) {
	testenv.RequiresRoot(t) // whiteouts are device nodes and opaque marks trusted xattrs
	low, mid, top := t.TempDir(), t.TempDir(), t.TempDir()
	mk := func(dir, rel, content string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk(low, "etc/passwd", "low")
	mk(low, "etc/group", "low")
	mk(low, "opq/old", "old")
	mk(low, "var/run/x", "x")
	mk(low, "replaced/inner", "i")
	mk(mid, "etc/passwd", "mid")
	if err := unix.Mknod(filepath.Join(mid, "etc/group"), unix.S_IFCHR, 0); err != nil {
		t.Fatal(err)
	}
	mk(mid, "opq/new", "new")
	if err := unix.Setxattr(filepath.Join(mid, "opq"), opaqueXattr, []byte("y"), 0); err != nil {
		t.Fatal(err)
	}
	mk(top, "replaced", "file now")
	os.MkdirAll(filepath.Join(top, "link"), 0o755)
	os.Symlink("/var/run", filepath.Join(top, "link/run"))
	l := layerFS{dirs: []string{low, mid, top}}

	if got, _ := l.readFile("etc/passwd"); string(got) != "mid" {
		t.Errorf("etc/passwd = %q, want the upper layer's", got)
	}
	for _, gone := range []string{"etc/group", "opq/old", "replaced/inner"} {
		if _, err := l.lstat(gone); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("lstat(%s) = %v, want not found", gone, err)
		}
	}
	ents, err := l.readDir("opq")
	if err != nil || len(ents) != 1 || ents[0].name != "new" {
		t.Errorf("readDir(opq) = %v, %v; want only new", ents, err)
	}
	if got, err := l.readFile("link/run/x"); err != nil || string(got) != "x" {
		t.Errorf("readFile through a symlink = %q, %v; want x", got, err)
	}
	if r, err := l.resolve("link/run/../run/x", true); err != nil || r != "var/run/x" {
		t.Errorf("resolve = %q, %v; want var/run/x", r, err)
	}
	got, err := l.glob("etc/*")
	if err != nil || !slices.Equal(got, []string{"etc/passwd"}) {
		t.Errorf("glob(etc/*) = %v, %v; want [etc/passwd]", got, err)
	}
}
