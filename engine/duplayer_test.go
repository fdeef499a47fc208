package engine

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

func TestTopmostLayers(t *testing.T) {
	tests := []struct{ in, want []string }{
		{nil, []string{}},
		{[]string{"/a", "/b"}, []string{"/a", "/b"}},
		{[]string{"/a", "/b", "/a"}, []string{"/b", "/a"}},
		{[]string{"/a", "/b", "/a/", "/c", "/b"}, []string{"/a/", "/c", "/b"}},
	}
	for _, tt := range tests {
		if got := TopmostLayers(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("TopmostLayers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestDuplicateLayerStarts: an image listing one layer twice (base, L, M, L) starts,
// and shows what that stack shows: L's file over M's.
func TestDuplicateLayerStarts(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	l, m := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(l, "f"), []byte("from L\n"), 0o644)
	os.WriteFile(filepath.Join(m, "f"), []byte("from M\n"), 0o644)
	os.WriteFile(filepath.Join(m, "g"), []byte("from M\n"), 0o644)
	out, es := run(t, e, Spec{LayerDirs: []string{busyboxLayer(t), l, m, l}, Cmd: []string{"cat", "/f", "/g"}})
	if out != "from L\nfrom M\n" || es.ExitCode != 0 {
		t.Errorf("cat /f /g = %q, %+v; want L's f and M's g, exit 0", out, es)
	}
}
