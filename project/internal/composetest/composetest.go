// Package composetest loads compose files written by tests, for the orchestrator's
// packages' tests (plan, spec, project): one helper instead of a copy in each.
package composetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/compose"
)

// Load writes content as compose.yaml in a temporary directory and loads it with an
// empty environment; a load error fails the test.
func Load(t testing.TB, content string) *compose.Project {
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
