package image

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRemoveDamagedIndex: an index entry whose digest is no digest ("sha256:../..",
// as a damaged or hand-edited index.json could hold) is refused, and nothing outside
// blobs/ is removed.
func TestRemoveDamagedIndex(t *testing.T) {
	base := t.TempDir()
	s, err := Open(filepath.Join(base, "images"))
	if err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(base, "victim")
	if err := os.WriteFile(victim, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	id := "sha256:" + strings.Repeat("ab", 32)
	idx := &indexFile{Images: map[string]*Image{id: {ID: id, Digest: "sha256:../../../victim", RepoTags: []string{"docker.io/library/x:latest"}}}}
	if err := s.writeIndex(idx); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(id, true, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("Remove(damaged entry) = %v, want ErrInvalid", err)
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("Remove reached outside the store: %v", err)
	}
}
