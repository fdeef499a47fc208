package buildcontext

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sourceTree(t *testing.T) *Context {
	t.Helper()
	dir := makeTree(t, map[string]string{
		".dockerignore":   "secret.txt\nvendor\n",
		"a.txt":           "a",
		"b.txt":           "b",
		"bb.go":           "bb",
		"secret.txt":      "s",
		"dir/one.txt":     "1",
		"dir/sub/two.txt": "2",
		"dir/link":        "->one.txt",
		"vendor/v.go":     "v",
		"src/x/main.go":   "x",
		"src/y/main.go":   "y",
		"toplink":         "->dir",
		"escape":          "->../../..",
		"with space.txt":  "w",
	})
	c, err := Open(dir, "")
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	return c
}

func TestResolve(t *testing.T) {
	c := sourceTree(t)
	tests := []struct {
		src     string
		want    []string // Rel of each source, "/" suffix for directories
		wantErr error
	}{
		{"a.txt", []string{"a.txt"}, nil},
		{"/a.txt", []string{"a.txt"}, nil},
		{"./dir/../a.txt", []string{"a.txt"}, nil},
		{"*.txt", []string{"a.txt", "b.txt", "with space.txt"}, nil},
		{"b*", []string{"b.txt", "bb.go"}, nil},
		{"?.txt", []string{"a.txt", "b.txt"}, nil},
		{"[ab].txt", []string{"a.txt", "b.txt"}, nil},
		{"src/*/main.go", []string{"src/x/main.go", "src/y/main.go"}, nil},
		{"d*", []string{"dir/"}, nil},
		{".", []string{"./"}, nil},
		{"dir", []string{"dir/"}, nil},
		{"toplink", []string{"toplink/"}, nil},
		{"secret.txt", nil, ErrNotFound},
		{"secr*", nil, ErrNotFound},
		{"vendor/v.go", nil, ErrNotFound},
		{"missing", nil, ErrNotFound},
		{"../x", nil, ErrOutside},
		{"dir/../../x", nil, ErrOutside},
		{"escape", nil, ErrOutside},
		{"[a", nil, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, err := c.Resolve(tt.src)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Resolve(%q) = %v, %v, want %v", tt.src, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q) = %v", tt.src, err)
			}
			var rels []string
			for _, s := range got {
				if s.IsDir {
					s.Rel += "/"
				}
				rels = append(rels, s.Rel)
			}
			if diff := cmp.Diff(tt.want, rels); diff != "" {
				t.Errorf("Resolve(%q) mismatch (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

func TestEntries(t *testing.T) {
	c := sourceTree(t)
	srcs, err := c.Resolve("dir")
	if err != nil {
		t.Fatalf("Resolve(dir) = %v", err)
	}
	entries, err := c.Entries(srcs[0])
	if err != nil {
		t.Fatalf("Entries = %v", err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Rel)
	}
	want := []string{"link", "one.txt", "sub", "sub/two.txt"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Entries(dir) mismatch (-want +got):\n%s", diff)
	}
	if entries[0].Info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("Entries(dir)[0] mode = %v, want a symlink", entries[0].Info.Mode())
	}
}

func TestHash(t *testing.T) {
	hashOf := func(t *testing.T, c *Context, srcs ...string) string {
		t.Helper()
		var all []Source
		for _, s := range srcs {
			r, err := c.Resolve(s)
			if err != nil {
				t.Fatalf("Resolve(%q) = %v", s, err)
			}
			all = append(all, r...)
		}
		h, err := c.Hash(all)
		if err != nil {
			t.Fatalf("Hash(%v) = %v", srcs, err)
		}
		return h
	}
	c := sourceTree(t)
	base := hashOf(t, c, "dir", "a.txt")
	if again := hashOf(t, c, "dir", "a.txt"); again != base {
		t.Fatalf("Hash is not stable: %s then %s", base, again)
	}
	mutations := []struct {
		name   string
		mutate func(dir string) error
	}{
		{"content", func(d string) error { return os.WriteFile(filepath.Join(d, "dir/one.txt"), []byte("changed"), 0o644) }},
		{"mode", func(d string) error { return os.Chmod(filepath.Join(d, "a.txt"), 0o755) }},
		{"symlink target", func(d string) error {
			l := filepath.Join(d, "dir/link")
			if err := os.Remove(l); err != nil {
				return err
			}
			return os.Symlink("sub/two.txt", l)
		}},
		{"new file", func(d string) error { return os.WriteFile(filepath.Join(d, "dir/sub/new"), nil, 0o644) }},
		{"rename", func(d string) error { return os.Rename(filepath.Join(d, "dir/sub"), filepath.Join(d, "dir/sub2")) }},
	}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			c := sourceTree(t)
			before := hashOf(t, c, "dir", "a.txt")
			if err := m.mutate(c.Dir()); err != nil {
				t.Fatal(err)
			}
			if after := hashOf(t, c, "dir", "a.txt"); after == before {
				t.Errorf("Hash after %s change = %s, want a different digest", m.name, after)
			}
		})
	}
	t.Run("mtime and excluded files ignored", func(t *testing.T) {
		c := sourceTree(t)
		before := hashOf(t, c, ".")
		if err := os.WriteFile(filepath.Join(c.Dir(), "secret.txt"), []byte("new secret"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(c.Dir(), "a.txt"), time0, time0); err != nil {
			t.Fatal(err)
		}
		if after := hashOf(t, c, "."); after != before {
			t.Errorf("Hash after mtime/excluded change = %s, want %s", after, before)
		}
	})
	t.Run("same tree in another dir", func(t *testing.T) {
		if other := hashOf(t, sourceTree(t), "dir", "a.txt"); other != base {
			t.Errorf("Hash of an identical tree = %s, want %s", other, base)
		}
	})
}

var time0 = time.Unix(0, 0)
