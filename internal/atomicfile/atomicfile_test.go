package atomicfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/internal/testenv"
)

// writers are the two ways to replace a file: every test runs with each.
var writers = []struct {
	name  string
	write func(path string, data []byte, perm os.FileMode) error
}{
	{"WriteFile", WriteFile},
	{"WriteFileReserved", WriteFileReserved},
}

func TestWriteFileReplaces(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.json")
			for _, content := range []string{`{"a":1}`, `{"a":22222}`, ``, `{}`} {
				if err := w.write(path, []byte(content), 0o600); err != nil {
					t.Fatalf("%s(%q) = %v", w.name, content, err)
				}
				if got, _ := os.ReadFile(path); string(got) != content {
					t.Errorf("after %s(%q) the file holds %q", w.name, content, got)
				}
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
			}
			assertOnly(t, dir, "state.json")
		})
	}
}

// TestWriteFileErrors checks that a failed write leaves the old content and no temp
// file, and names the file in its error.
func TestWriteFileErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) string // returns the dir, holding state.json "old"
		data  []byte
		want  error
	}{
		{"missing dir", func(t *testing.T) string { return filepath.Join(t.TempDir(), "gone") }, []byte("new"), unix.ENOENT},
		{"target is a directory", func(t *testing.T) string {
			dir := t.TempDir()
			os.Mkdir(filepath.Join(dir, "state.json"), 0o700)
			os.WriteFile(filepath.Join(dir, "state.json", "x"), []byte("old"), 0o600)
			return dir
		}, []byte("new"), unix.EISDIR},
		{"read-only file system", readOnlyDir, []byte("new"), unix.EROFS},
		{"full file system", fullDir, bytes.Repeat([]byte("n"), 64<<10), unix.ENOSPC},
	}
	for _, w := range writers {
		for _, tt := range tests {
			t.Run(w.name+"/"+tt.name, func(t *testing.T) {
				dir := tt.setup(t)
				path := filepath.Join(dir, "state.json")
				err := w.write(path, tt.data, 0o600)
				var pe *fs.PathError
				if !errors.Is(err, tt.want) || !errors.As(err, &pe) || !strings.HasPrefix(pe.Path, dir) {
					t.Fatalf("%s = %v, want a *fs.PathError in %s wrapping %v", w.name, err, dir, tt.want)
				}
				if b, err := os.ReadFile(path); err == nil && string(b) != "old" {
					t.Errorf("after the failed write the file holds %q, want the old content", b)
				}
				if ents, err := os.ReadDir(dir); err == nil {
					for _, e := range ents {
						if strings.HasSuffix(e.Name(), ".tmp") {
							t.Errorf("temp file %s left behind", e.Name())
						}
					}
				}
			})
		}
	}
}

// readOnlyDir is a tmpfs holding state.json "old", remounted read-only (root ignores
// permission bits, so a mode 0500 dir would not do).
func readOnlyDir(t *testing.T) string {
	dir := tmpfs(t, "size=64k")
	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("", dir, "", unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount %s read-only: %v", dir, err)
	}
	return dir
}

// fullDir is a 64 KiB tmpfs holding state.json "old" and a file filling the rest.
func fullDir(t *testing.T) string {
	dir := tmpfs(t, "size=64k")
	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "fill"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for {
		if _, err := f.Write(make([]byte, 4096)); err != nil {
			if !errors.Is(err, unix.ENOSPC) {
				t.Fatalf("fill %s: %v", dir, err)
			}
			return dir
		}
	}
}

// tmpfs mounts a tmpfs with opts on a new temp dir, unmounted in cleanup.
func tmpfs(t *testing.T, opts string) string {
	t.Helper()
	testenv.RequiresRoot(t)
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		t.Fatalf("mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}

func BenchmarkWriteFile(b *testing.B) {
	for _, w := range writers {
		b.Run(w.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "state.json")
			data := bytes.Repeat([]byte("x"), 300)
			for i := 0; i < b.N; i++ {
				if err := w.write(path, data, 0o600); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
