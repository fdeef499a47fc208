package project

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// openRoot opens dir as a container root would be given to sync (O_PATH).
func openSyncRoot(t *testing.T, dir string) int {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

func writeMode(t *testing.T, p, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

// ctrDir is a unique top directory for a test's container paths: should a regression
// resolve them on the host instead of in the root, it fails the test and is removed.
func ctrDir(t *testing.T) string {
	t.Helper()
	d := "/bte-sync-" + tempName()[len(".berth-sync-"):]
	t.Cleanup(func() {
		if _, err := os.Lstat(d); err == nil {
			os.RemoveAll(d)
			t.Errorf("%s was made on the host: container paths were not resolved in the root", d)
		}
	})
	return d
}

func readOrErr(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

func TestCopyIn(t *testing.T) {
	host, root := t.TempDir(), t.TempDir()
	fd := openSyncRoot(t, root)
	app := ctrDir(t)
	writeMode(t, filepath.Join(host, "a.sh"), "#!/bin/sh\n", 0o750)
	if err := copyIn(fd, filepath.Join(host, "a.sh"), app+"/bin/a.sh"); err != nil {
		t.Fatalf("copyIn into missing directories: %v", err)
	}
	fi, err := os.Stat(filepath.Join(root, app, "bin/a.sh"))
	if err != nil || fi.Mode().Perm() != 0o750 || readOrErr(filepath.Join(root, app, "bin/a.sh")) != "#!/bin/sh\n" {
		t.Fatalf("copied file: %v, %v; want mode 0750 and the content", fi, err)
	}

	// A changed file replaces the old one by rename: a reader holding the old file keeps
	// its content; no temporary file is left.
	old, err := os.Open(filepath.Join(root, app, "bin/a.sh"))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	writeMode(t, filepath.Join(host, "a.sh"), "#!/bin/sh\necho 2\n", 0o750)
	if err := copyIn(fd, filepath.Join(host, "a.sh"), app+"/bin/a.sh"); err != nil {
		t.Fatal(err)
	}
	if b := make([]byte, 64); true {
		n, _ := old.Read(b)
		if string(b[:n]) != "#!/bin/sh\n" {
			t.Errorf("an open reader saw %q: the file was rewritten in place, not replaced", b[:n])
		}
	}
	if got := readOrErr(filepath.Join(root, app, "bin/a.sh")); got != "#!/bin/sh\necho 2\n" {
		t.Errorf("after the change: %q", got)
	}
	if ents, _ := os.ReadDir(filepath.Join(root, app, "bin")); len(ents) != 1 {
		t.Errorf("app/bin holds %d entries, want only a.sh (a temporary file left?)", len(ents))
	}

	// A directory tree replaces a file of the same name; a symlink is copied as one.
	writeMode(t, filepath.Join(host, "tree/x/y.txt"), "y", 0o644)
	if err := os.Symlink("x/y.txt", filepath.Join(host, "tree/link")); err != nil {
		t.Fatal(err)
	}
	writeMode(t, filepath.Join(root, app, "tree"), "a file in the way", 0o644)
	if err := copyIn(fd, filepath.Join(host, "tree"), app+"/tree"); err != nil {
		t.Fatal(err)
	}
	if got := readOrErr(filepath.Join(root, app, "tree/x/y.txt")); got != "y" {
		t.Errorf("app/tree/x/y.txt = %q", got)
	}
	if target, err := os.Readlink(filepath.Join(root, app, "tree/link")); err != nil || target != "x/y.txt" {
		t.Errorf("app/tree/link = %q, %v; want the symlink x/y.txt", target, err)
	}
	if err := copyIn(fd, filepath.Join(host, "a.sh"), "/"); !errors.Is(err, ErrInvalid) {
		t.Errorf("copyIn onto / = %v, want ErrInvalid", err)
	}
}

func TestCopyInStaysInRoot(t *testing.T) {
	host, root, outside := t.TempDir(), t.TempDir(), t.TempDir()
	fd := openSyncRoot(t, root)
	app := ctrDir(t)
	// The container's /app/escape points at an absolute path (and through ".."); inside
	// the root both name root+outside, which exists there too.
	if err := os.MkdirAll(filepath.Join(root, outside), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, app), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"escape": outside, "dots": "../../../../../.." + outside} {
		if err := os.Symlink(target, filepath.Join(root, app, name)); err != nil {
			t.Fatal(err)
		}
		writeMode(t, filepath.Join(host, "f.txt"), name, 0o644)
		if err := copyIn(fd, filepath.Join(host, "f.txt"), app+"/"+name+"/f.txt"); err != nil {
			t.Fatalf("copyIn through %s: %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(outside, "f.txt")); err == nil {
			t.Fatalf("copyIn through the symlink %s wrote on the host", name)
		}
		if got := readOrErr(filepath.Join(root, outside, "f.txt")); got != name {
			t.Errorf("file through %s = %q, want it inside the root", name, got)
		}
	}
	// A symlink at the file's own name is replaced, never written through.
	writeMode(t, filepath.Join(outside, "victim"), "host data", 0o644)
	if err := os.Symlink(filepath.Join(outside, "victim"), filepath.Join(root, app, "victim")); err != nil {
		t.Fatal(err)
	}
	if err := copyIn(fd, filepath.Join(host, "f.txt"), app+"/victim"); err != nil {
		t.Fatal(err)
	}
	if got := readOrErr(filepath.Join(outside, "victim")); got != "host data" {
		t.Errorf("host file behind a symlink = %q: written through", got)
	}
}

func TestRemoveIn(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	fd := openSyncRoot(t, root)
	app := ctrDir(t)
	writeMode(t, filepath.Join(root, app, "tree/a/b"), "b", 0o644)
	writeMode(t, filepath.Join(outside, "keep"), "keep", 0o644)
	if err := os.Symlink(outside, filepath.Join(root, app, "link")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{app + "/tree", app + "/link", app + "/missing", app + "-none/missing"} {
		if err := removeIn(fd, p); err != nil {
			t.Errorf("removeIn(%s): %v", p, err)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(root, app)); len(ents) != 0 {
		t.Errorf("app still holds %v", ents)
	}
	if got := readOrErr(filepath.Join(outside, "keep")); got != "keep" {
		t.Errorf("removing a symlink removed what it points to: %q", got)
	}
	if err := removeIn(fd, "/"); !errors.Is(err, ErrInvalid) {
		t.Errorf("removeIn(/) = %v, want ErrInvalid", err)
	}
}
