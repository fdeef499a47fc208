package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestWriteValues: each value is one write through one descriptor (a plain file
// holds them end to end), and an error names the file and the value that failed.
func TestWriteValues(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeValues(file, []string{"c 1:3 rwm", "\n", "b *:* m"}); err != nil {
		t.Fatalf("writeValues = %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "c 1:3 rwm\nb *:* m" {
		t.Errorf("file = %q, want the values end to end", b)
	}
	for _, tt := range []struct {
		path string
		want error
		text string
	}{
		{filepath.Join(t.TempDir(), "missing"), unix.ENOENT, "open "},
		{"/dev/full", unix.ENOSPC, `write "x" to /dev/full`},
	} {
		err := writeValues(tt.path, []string{"x"})
		if !errors.Is(err, tt.want) || err == nil || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("writeValues(%s) = %v, want %v naming %q", tt.path, err, tt.want, tt.text)
		}
	}
}

// TestReadDirNames: every name but . and .., across several getdents(2) calls for a
// large directory; a missing one is fs.ErrNotExist.
func TestReadDirNames(t *testing.T) {
	for _, n := range []int{0, 3, 700} { // 700 names: over the 8 KiB buffer
		dir := t.TempDir()
		var want []string
		for i := range n {
			name := fmt.Sprintf("entry-with-a-longer-name-%04d", i)
			want = append(want, name)
			if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		got, err := readDirNames(dir)
		slices.Sort(got)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("readDirNames(%d names) = %d names, %v; want %d", n, len(got), err, n)
		}
	}
	if _, err := readDirNames(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("readDirNames(missing) = %v, want fs.ErrNotExist", err)
	}
}
