package spec

import (
	"flag"
	"testing"

	"github.com/berth-dev/berth/project/internal/composetest"

	"github.com/berth-dev/berth/compose"
)

var update = flag.Bool("update", false, "rewrite testdata/spec/*/want.json")

func loadYAML(t *testing.T, content string) *compose.Project { return composetest.Load(t, content) }

func loadFile(t *testing.T, file string) *compose.Project {
	t.Helper()
	p, err := compose.Load(t.Context(), compose.Options{Files: []string{file}, Environ: map[string]string{}})
	if err != nil {
		t.Fatalf("Load(%s): %v", file, err)
	}
	return p
}
