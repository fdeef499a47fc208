package builder

import (
	"testing"
)

// TestBuildRunOverDuplicateLayer: COPY f, COPY g, COPY f again stacks the same layer
// twice; a later RUN must still start (overlayfs refuses a lower dir given twice).
func TestBuildRunOverDuplicateLayer(t *testing.T) {
	env := newTestEnv(t)
	df := "FROM bt-busybox\nCOPY f /f\nCOPY g /g\nCOPY f /f\nRUN cat /f /g > /both\n"
	if _, out, err := env.build(t, map[string]string{"Dockerfile": df, "f": "eff\n", "g": "gee\n"}, Options{Tags: []string{"bt-dup"}}); err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	img, l := env.imageFS(t, "bt-dup")
	ids := img.Config.RootFS.DiffIDs
	if len(ids) != 5 || ids[1] != ids[3] {
		t.Fatalf("diffIDs = %v, want 5 with the 2nd and 4th the same layer", ids)
	}
	if got := fileIn(t, l, "both"); got != "eff\ngee\n" {
		t.Errorf("/both = %q, want eff gee", got)
	}
}
