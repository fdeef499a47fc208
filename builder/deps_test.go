package builder

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies asserts that builder/... imports only the standard
// library, builder's own packages, engine packages (and what they import) and
// patternmatcher.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	allowed := []string{
		"github.com/berth-dev/berth/builder",
		"github.com/berth-dev/berth/engine",
		"github.com/moby/patternmatcher",
	}
	// The engine's own dependencies (go-containerregistry, x/sys, ...) come with it.
	engineDeps, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "../engine/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps engine: %v\n%s", err, engineDeps)
	}
	allowed = append(allowed, strings.Fields(string(engineDeps))...)
	for _, dep := range strings.Fields(string(out)) {
		ok := false
		for _, a := range allowed {
			if dep == a || strings.HasPrefix(dep, a+"/") {
				ok = true
			}
		}
		if !ok {
			t.Errorf("builder depends on %s; allowed: standard library and %v", dep, allowed)
		}
	}
}
