package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
	"golang.org/x/sys/unix"
)

func TestCopyUp(t *testing.T) {
	testenv.RequiresRoot(t)
	src, dst := t.TempDir(), t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(filepath.Join(src, "sub"), 0o700))
	must(os.WriteFile(filepath.Join(src, "sub", "f"), []byte("data"), 0o600))
	must(os.Chown(filepath.Join(src, "sub", "f"), 1234, 5678))
	must(unix.Chmod(filepath.Join(src, "sub", "f"), 0o4640)) // after chown, which clears set-id bits
	must(os.Link(filepath.Join(src, "sub", "f"), filepath.Join(src, "hard")))
	must(os.Symlink("sub/f", filepath.Join(src, "link")))
	must(unix.Mkfifo(filepath.Join(src, "fifo"), 0o620))
	must(unix.Chmod(filepath.Join(src, "fifo"), 0o620)) // past the umask
	must(os.Chown(src, 42, 43))
	must(os.Chmod(src, 0o751))

	if err := copyUp(src, dst); err != nil {
		t.Fatalf("copyUp: %v", err)
	}
	check := func(rel string, mode uint32, uid, gid uint32) {
		t.Helper()
		var st unix.Stat_t
		if err := unix.Lstat(filepath.Join(dst, rel), &st); err != nil {
			t.Fatalf("lstat %s: %v", rel, err)
		}
		if st.Mode != mode || st.Uid != uid || st.Gid != gid {
			t.Errorf("%s: mode %o owner %d:%d, want %o %d:%d", rel, st.Mode, st.Uid, st.Gid, mode, uid, gid)
		}
	}
	check(".", unix.S_IFDIR|0o751, 42, 43)
	check("sub", unix.S_IFDIR|0o700, 0, 0)
	check("sub/f", unix.S_IFREG|0o4640, 1234, 5678)
	check("fifo", unix.S_IFIFO|0o620, 0, 0)
	if b, err := os.ReadFile(filepath.Join(dst, "link")); err != nil || string(b) != "data" {
		t.Errorf("link: %q, %v; want the file through the symlink", b, err)
	}
	var a, b unix.Stat_t
	unix.Stat(filepath.Join(dst, "hard"), &a)
	unix.Stat(filepath.Join(dst, "sub", "f"), &b)
	if a.Ino != b.Ino {
		t.Errorf("hard link copied as a separate file")
	}

	// A volume that is not empty is left as it is.
	must(os.WriteFile(filepath.Join(src, "new"), nil, 0o644))
	if err := copyUp(src, dst); err != nil {
		t.Fatalf("copyUp again: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dst, "new")); !os.IsNotExist(err) {
		t.Errorf("copyUp into a non-empty dir copied: stat = %v", err)
	}
	// A missing source copies nothing.
	if err := copyUp(filepath.Join(src, "missing"), t.TempDir()); err != nil {
		t.Errorf("copyUp(missing) = %v, want nil", err)
	}
}
