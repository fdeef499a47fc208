package state

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestPathUnder(t *testing.T) {
	root := "/r/volumes"
	for _, name := range []string{"", ".", "..", "../x", "a/b", "/abs", "a/../..", "x\x00y", "../../../../tmp/X"} {
		if p, err := PathUnder(root, name); !errors.Is(err, ErrInvalid) {
			t.Errorf("PathUnder(%q, %q) = %q, %v, want ErrInvalid", root, name, p, err)
		}
	}
	for _, name := range []string{"a", "p_db", "..a", "a..", "...", ".hidden"} {
		if p, err := PathUnder(root, name); err != nil || p != filepath.Join(root, name) {
			t.Errorf("PathUnder(%q, %q) = %q, %v, want %q", root, name, p, err, filepath.Join(root, name))
		}
	}
}
