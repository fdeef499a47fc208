package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestE2ENamesStayUnderRoot runs up and down -v on compose files whose volume name or
// volume key lead from $BERTH_ROOT/volumes to a directory outside the root (issue 15):
// the loader refuses them with file:line:col, and neither up nor down -v creates,
// mounts or removes anything there.
func TestE2ENamesStayUnderRoot(t *testing.T) {
	e := newE2E(t).withPools("10.249.0.0/16")
	outside, marker := victimDir(t)
	rel, err := filepath.Rel(filepath.Join(e.root, "volumes"), outside) // ../../.../outside
	if err != nil || !strings.HasPrefix(rel, "../") {
		t.Fatalf("Rel(volumes, %s) = %q, %v", outside, rel, err)
	}
	// A key is prefixed with "<project>_": "p_../" + rel leads to the same place.
	key := "../" + rel
	tests := []struct{ name, yaml, want string }{
		// (not "v:/d": as in Compose, a one-letter source is a Windows drive)
		{"name", "services:\n  app:\n    image: bte-busybox\n    command: [sh, -c, echo owned > /d/pwned]\n    volumes: [vol:/d]\n" +
			"volumes:\n  vol:\n    name: " + rel + "\n",
			`compose.yaml:8:11: volumes.vol.name: invalid volume name "` + rel + `": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`},
		{"key", "services:\n  app:\n    image: bte-busybox\n    command: [sh, -c, echo owned > /d/pwned]\n" +
			"    volumes: [{type: volume, source: \"" + key + "\", target: /d}]\nvolumes:\n  \"" + key + "\": {}\n",
			`compose.yaml:7:` + strconv.Itoa(len(key)+7) + `: volumes.` + key + `: invalid key "` + key + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeCompose(t, tt.yaml)
			_, errs, err := e.berth("-f", file, "up", "-d")
			if err == nil || !strings.Contains(errs, filepath.Dir(file)+"/"+tt.want) {
				t.Errorf("up = %v, stderr %q; want the loader's error %q", err, errs, tt.want)
			}
			assertUntouched(t, outside, marker)
			e.berth("-f", file, "down", "-v", "-t", "1")
			assertUntouched(t, outside, marker)
		})
	}
}

// TestE2EDownRefusesBadNames: down -v on a state that records a volume name leading
// outside the root (as a berth without the name checks wrote it) removes the project
// but not that directory, and says so; -p with a name that is no project name (".."
// would be the projects dir itself) is refused before anything is touched.
func TestE2EDownRefusesBadNames(t *testing.T) {
	e := newE2E(t).withPools("10.250.0.0/16")
	outside, marker := victimDir(t)
	rel, _ := filepath.Rel(filepath.Join(e.root, "volumes"), outside)
	state := filepath.Join(e.root, "projects", e.project, "state.json")
	if err := os.MkdirAll(filepath.Dir(state), 0o700); err != nil {
		t.Fatal(err)
	}
	st := `{"name": "` + e.project + `", "workingDir": "/", "volumes": {"v": "` + rel + `"}}`
	if err := os.WriteFile(state, []byte(st), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs, err := e.berth("down", "-v", "-t", "1")
	if err == nil || !strings.Contains(errs, `volume "`+rel+`" not removed`) {
		t.Errorf("down -v = %v, stderr %q; want the volume refused", err, errs)
	}
	assertUntouched(t, outside, marker)
	if _, err := os.Stat(state); err == nil {
		t.Errorf("down -v left the project's state %s", state)
	}

	other := filepath.Join(e.root, "projects", "other", "state.json") // another project's
	if err := os.MkdirAll(filepath.Dir(other), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, []byte(`{"name": "other"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"..", "../x", "."} {
		cmd := exec.Command(e.bin, "-p", p, "down", "-v")
		cmd.Env = e.env
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), `invalid project name "`+p+`"`) {
			t.Errorf("-p %q down -v = %v, output %q; want an invalid project name", p, err, out)
		}
		if _, err := os.Stat(other); err != nil {
			t.Fatalf("-p %q down -v removed another project's state: %v", p, err)
		}
	}
	os.RemoveAll(filepath.Dir(other))
}

// victimDir makes a directory outside the test's root holding one file.
func victimDir(t *testing.T) (dir, marker string) {
	dir = t.TempDir()
	marker = filepath.Join(dir, "keep")
	if err := os.WriteFile(marker, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, marker
}

// assertUntouched fails unless dir still holds only marker, unchanged (a container given
// dir/_data as a volume would have written dir/_data/pwned).
func assertUntouched(t *testing.T, dir, marker string) {
	t.Helper()
	if b, err := os.ReadFile(marker); err != nil || string(b) != "precious\n" {
		t.Errorf("%s = %q, %v; want it untouched", marker, b, err)
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 1 {
		t.Errorf("%s holds %v (%v); want only %s", dir, ents, err, filepath.Base(marker))
	}
}
