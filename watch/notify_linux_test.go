package watch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// expect reads events until want was seen; it fails after a second.
func expect(t *testing.T, n *Notifier, want string) {
	t.Helper()
	deadline := time.After(time.Second)
	for {
		select {
		case p := <-n.Events():
			if p == want {
				return
			}
		case err := <-n.Errors():
			t.Fatalf("waiting for %s: %v", want, err)
		case <-deadline:
			t.Fatalf("no event for %s", want)
		}
	}
}

func TestNotifierRecursive(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(filepath.Join(src, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	n, err := NewNotifier([]string{src, filepath.Join(dir, "later", "x"), filepath.Join(dir, "file.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	write := func(p string) {
		t.Helper()
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(other, "no")) // not below a watched path: never reported
	write(filepath.Join(src, "a", "f"))
	expect(t, n, filepath.Join(src, "a", "f"))

	// A directory tree that appears (mkdir -p, or moved in) is watched and reported.
	deep := filepath.Join(src, "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	expect(t, n, filepath.Join(src, "b"))
	write(filepath.Join(deep, "g"))
	expect(t, n, filepath.Join(deep, "g"))
	if err := os.Remove(filepath.Join(deep, "g")); err != nil {
		t.Fatal(err)
	}
	expect(t, n, filepath.Join(deep, "g"))

	// A file root is watched through its directory; a missing root through an ancestor.
	write(filepath.Join(dir, "file.json"))
	expect(t, n, filepath.Join(dir, "file.json"))
	if err := os.MkdirAll(filepath.Join(dir, "later", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(dir, "later", "x", "y"))
	expect(t, n, filepath.Join(dir, "later", "x", "y"))

	// A directory moved within is reported under its new name; one moved out is no
	// longer reported.
	if err := os.Rename(filepath.Join(src, "b"), filepath.Join(src, "moved")); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(src, "moved", "c", "h"))
	expect(t, n, filepath.Join(src, "moved", "c", "h"))
	if err := os.Rename(filepath.Join(src, "moved"), filepath.Join(other, "away")); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(other, "away", "c", "i"))
	write(filepath.Join(src, "a", "after"))
	for p := range n.Events() {
		if strings.HasSuffix(p, "/i") {
			t.Fatalf("change in a directory moved out reported as %s", p)
		}
		if p == filepath.Join(src, "a", "after") {
			break
		}
	}

	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	for range n.Events() { // drained and closed after Close
	}
}
