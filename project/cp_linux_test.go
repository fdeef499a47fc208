package project

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// cpRoots makes two temporary roots standing for a container and the host, opened as
// Copy opens them.
func cpRoots(t *testing.T) (string, int, string, int) {
	t.Helper()
	open := func(dir string) int {
		fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		return fd
	}
	a, b := t.TempDir(), t.TempDir()
	return a, open(a), b, open(b)
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
}

func readOr(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

func TestCopyPathRules(t *testing.T) {
	src, sfd, dst, dfd := cpRoots(t)
	mustWrite(t, filepath.Join(src, "app/conf/a.txt"), "a")
	mustWrite(t, filepath.Join(src, "app/b.txt"), "b")
	if err := os.Symlink("conf/a.txt", filepath.Join(src, "app/link")); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dst, "existing"), 0o755)

	steps := []struct{ from, to string }{
		{"/app/b.txt", "/new.txt"},    // file to a new name
		{"/app/b.txt", "/existing"},   // file into a directory
		{"/app", "/copy"},             // directory to a new name
		{"/app", "/existing"},         // directory into a directory
		{"/app/.", "/contents"},       // a directory's content
		{"app/conf/a.txt", "rel.txt"}, // relative paths are from the root
	}
	for _, s := range steps {
		if err := copyPath(sfd, s.from, dfd, s.to, CopyOptions{}); err != nil {
			t.Fatalf("copyPath(%s, %s): %v", s.from, s.to, err)
		}
	}
	want := map[string]string{
		"new.txt": "b", "existing/b.txt": "b", "copy/conf/a.txt": "a", "existing/app/b.txt": "b",
		"contents/conf/a.txt": "a", "contents/b.txt": "b", "rel.txt": "a",
	}
	for p, w := range want {
		if got := readOr(filepath.Join(dst, p)); got != w {
			t.Errorf("%s = %q, want %q", p, got, w)
		}
	}
	if l, err := os.Readlink(filepath.Join(dst, "copy/link")); err != nil || l != "conf/a.txt" {
		t.Errorf("copy/link = %q, %v; want the symlink copied as a symlink", l, err)
	}
	if fi, err := os.Stat(filepath.Join(dst, "new.txt")); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("new.txt mode = %v, %v; want 0640", fi, err)
	}
	if err := copyPath(sfd, "/app", dfd, "/new.txt", CopyOptions{}); err == nil {
		t.Errorf("copying a directory onto a file succeeded")
	}
	if err := copyPath(sfd, "/app/b.txt", dfd, "/missing/", CopyOptions{}); err == nil {
		t.Errorf("copying a file to a missing directory/ succeeded")
	}
	if err := copyPath(sfd, "/app/link", dfd, "/followed", CopyOptions{FollowLink: true}); err != nil || readOr(filepath.Join(dst, "followed")) != "a" {
		t.Errorf("cp -L of a symlink = %v, content %q; want the file it names", err, readOr(filepath.Join(dst, "followed")))
	}
}

// TestCopyPathStaysInRoot: symlinks planted in the container (either side) resolve
// inside its root and never reach host files.
func TestCopyPathStaysInRoot(t *testing.T) {
	ctr, cfd, host, hfd := cpRoots(t)
	outside := t.TempDir()
	mustWrite(t, filepath.Join(outside, "secret"), "host secret")
	mustWrite(t, filepath.Join(host, "file"), "payload")
	os.Symlink(outside, filepath.Join(ctr, "abs"))
	os.Symlink("../../../../../../../../"+outside, filepath.Join(ctr, "rel"))
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(ctr, "secretlink"))

	// Reading: the links resolve inside the container's root, where there is no secret.
	for _, p := range []string{"/abs/secret", "/rel/secret"} {
		if err := copyPath(cfd, p, hfd, "/got", CopyOptions{}); err == nil {
			t.Errorf("copy from %s succeeded: %q; want not found inside the root", p, readOr(filepath.Join(host, "got")))
		}
	}
	if err := copyPath(cfd, "/secretlink", hfd, "/got", CopyOptions{FollowLink: true}); err == nil {
		t.Errorf("cp -L of a link to a host path succeeded; want it resolved inside the root")
	}
	// Writing: through a link to a host directory lands inside the root (or fails),
	// and a link at the destination is replaced, not written through.
	os.MkdirAll(filepath.Join(ctr, outside), 0o755)
	if err := copyPath(hfd, "/file", cfd, "/abs/secret", CopyOptions{}); err != nil {
		t.Fatalf("copy to /abs/secret: %v", err)
	}
	if err := copyPath(hfd, "/file", cfd, "/secretlink", CopyOptions{}); err != nil {
		t.Fatalf("copy onto /secretlink: %v", err)
	}
	if got := readOr(filepath.Join(outside, "secret")); got != "host secret" {
		t.Errorf("host file outside the root = %q; a copy wrote through a symlink", got)
	}
	if got := readOr(filepath.Join(ctr, outside, "secret")); got != "payload" {
		t.Errorf("copy through /abs = %q at the path inside the root, want payload", got)
	}
	if fi, err := os.Lstat(filepath.Join(ctr, "secretlink")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("secretlink after copy = %v, %v; want a regular file replacing the link", fi, err)
	}
}
