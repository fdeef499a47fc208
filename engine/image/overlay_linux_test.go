package image

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestUnpackSpecialFiles(t *testing.T) {
	testenv.RequiresRoot(t)
	dir := t.TempDir()
	err := Unpack(dir, makeTar(t, []entry{
		{name: "dev/null", typ: tar.TypeChar, mode: 0o666, major: 1, minor: 3},
		{name: "dev/loop", typ: tar.TypeBlock, mode: 0o660, major: 7, minor: 0},
		{name: "bin/ping", typ: tar.TypeReg, body: "x", mode: 0o755, xattrs: map[string]string{"security.capability": "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", "user.berth": "yes"}},
		{name: "gone/.wh..wh..opq", typ: tar.TypeReg},
		{name: ".wh.removed", typ: tar.TypeReg},
	}))
	if err != nil {
		t.Fatalf("Unpack() = %v, want nil", err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(dir, "dev/null"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 1 || unix.Minor(st.Rdev) != 3 {
		t.Errorf("dev/null = mode %o rdev %d, %v; want char 1:3", st.Mode, st.Rdev, err)
	}
	if err := unix.Lstat(filepath.Join(dir, "dev/loop"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFBLK {
		t.Errorf("dev/loop = mode %o, %v; want block device", st.Mode, err)
	}
	if err := unix.Lstat(filepath.Join(dir, "removed"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Errorf("removed = mode %o rdev %d, %v; want 0/0 char whiteout", st.Mode, st.Rdev, err)
	}
	buf := make([]byte, 64)
	if n, err := unix.Lgetxattr(filepath.Join(dir, "gone"), opaqueXattr, buf); err != nil || string(buf[:n]) != "y" {
		t.Errorf("gone %s = %q, %v; want y", opaqueXattr, buf[:n], err)
	}
	if n, err := unix.Lgetxattr(filepath.Join(dir, "bin/ping"), "user.berth", buf); err != nil || string(buf[:n]) != "yes" {
		t.Errorf("bin/ping user.berth = %q, %v; want yes", buf[:n], err)
	}
	if _, err := unix.Lgetxattr(filepath.Join(dir, "bin/ping"), "security.capability", buf); err != nil {
		t.Errorf("bin/ping security.capability: %v", err)
	}
}

// TestOverlayView mounts two unpacked layers with overlayfs and checks that
// whiteouts hide files and opaque dirs hide the lower dir's content.
func TestOverlayView(t *testing.T) {
	testenv.RequiresRoot(t)
	top := t.TempDir()
	lower := filepath.Join(top, "l0")
	upper := filepath.Join(top, "l1")
	mnt := filepath.Join(top, "bti-mnt")
	for _, d := range []string{lower, upper, mnt} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := Unpack(lower, makeTar(t, []entry{
		{name: "keep", typ: tar.TypeReg, body: "keep"},
		{name: "deleted", typ: tar.TypeReg, body: "x"},
		{name: "opaque/old", typ: tar.TypeReg, body: "old"},
		{name: "merged/old", typ: tar.TypeReg, body: "old"},
	})); err != nil {
		t.Fatalf("Unpack(lower) = %v", err)
	}
	if err := Unpack(upper, makeTar(t, []entry{
		{name: ".wh.deleted", typ: tar.TypeReg},
		{name: "opaque/", typ: tar.TypeDir, mode: 0o755},
		{name: "opaque/.wh..wh..opq", typ: tar.TypeReg},
		{name: "opaque/new", typ: tar.TypeReg, body: "new"},
		{name: "merged/new", typ: tar.TypeReg, body: "new"},
	})); err != nil {
		t.Fatalf("Unpack(upper) = %v", err)
	}
	if err := unix.Mount("overlay", mnt, "overlay", unix.MS_RDONLY, "lowerdir="+upper+":"+lower); err != nil {
		t.Fatalf("mount overlay: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(mnt, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	var got []string
	err := filepath.WalkDir(mnt, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			got = append(got, strings.TrimPrefix(p, mnt+"/"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"keep", "merged/new", "merged/old", "opaque/new"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("overlay view (-want +got):\n%s", diff)
	}
}
