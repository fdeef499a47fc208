package spec

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/compose"
)

var update = flag.Bool("update", false, "rewrite testdata/spec/*/want.json")

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

func loadFile(t *testing.T, file string) *compose.Project {
	t.Helper()
	p, err := compose.Load(t.Context(), compose.Options{Files: []string{file}, Environ: map[string]string{}})
	if err != nil {
		t.Fatalf("Load(%s): %v", file, err)
	}
	return p
}
