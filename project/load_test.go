package project

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/compose"
)

func loadYAML(t *testing.T, content string) *compose.Project {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := compose.Load(context.Background(), compose.Options{Files: []string{file}, Environ: map[string]string{}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p
}
