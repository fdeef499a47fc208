package builder

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/builder/dockerfile"
)

// TestNamedContexts: Compose's additional_contexts: a docker-image:// context stands
// for that image in FROM, a directory context serves COPY --from (owned by root, as
// the build context) and RUN --mount from=, and is refused as a FROM base.
func TestNamedContexts(t *testing.T) {
	env := newTestEnv(t)
	extra := t.TempDir()
	if err := os.WriteFile(filepath.Join(extra, "e.txt"), []byte("extra\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chown(filepath.Join(extra, "e.txt"), 1000, 1000)
	contexts := map[string]string{"base": "docker-image://bt-busybox", "extra": extra}
	df := "FROM base\nCOPY --from=extra e.txt /e.txt\nRUN --mount=type=bind,from=extra,target=/x cat /x/e.txt > /viamount && stat -c %u /e.txt > /owner\n"
	if _, out, err := env.build(t, map[string]string{"Dockerfile": df}, Options{Tags: []string{"bt-named"}, NamedContexts: contexts}); err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	_, l := env.imageFS(t, "bt-named")
	for file, want := range map[string]string{"e.txt": "extra\n", "viamount": "extra\n", "owner": "0\n"} {
		if got := fileIn(t, l, file); got != want {
			t.Errorf("/%s = %q, want %q", file, got, want)
		}
	}
	_, _, err := env.build(t, map[string]string{"Dockerfile": "FROM extra\n"}, Options{NamedContexts: contexts})
	if !errors.Is(err, dockerfile.ErrUnsupported) {
		t.Errorf("FROM a directory context = %v, want ErrUnsupported", err)
	}
}
