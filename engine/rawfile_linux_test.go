package engine

import (
	"errors"
	"os"
	"path/filepath"
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
