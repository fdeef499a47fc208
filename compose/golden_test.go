package compose

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// goldenOptions builds Options from a golden case's args and env files.
func goldenOptions(t *testing.T, dir string) Options {
	t.Helper()
	// The oracle ran in env -i HOME=/tmp/oraclehome PATH=/usr/bin:/bin plus the case's env.
	opts := Options{WorkingDir: dir, Environ: map[string]string{"HOME": "/tmp/oraclehome", "PATH": "/usr/bin:/bin"}}
	if data, err := os.ReadFile(filepath.Join(dir, "env")); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
				opts.Environ[k] = v
			}
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil {
		return opts
	}
	args := strings.Fields(string(data))
	for i := 0; i < len(args); i++ {
		val := func() string {
			i++
			if i < len(args) {
				return args[i]
			}
			return ""
		}
		switch a := args[i]; a {
		case "-f", "--file":
			opts.Files = append(opts.Files, val())
		case "-p", "--project-name":
			opts.ProjectName = val()
		case "--profile":
			opts.Profiles = append(opts.Profiles, val())
		case "--env-file":
			opts.EnvFiles = append(opts.EnvFiles, val())
		case "--project-directory":
			opts.ProjectDir = val()
		case "--no-interpolate":
			opts.NoInterpolate = true
		case "--no-normalize":
			opts.NoNormalize = true
		default:
			if !strings.HasPrefix(a, "-") {
				opts.Services = append(opts.Services, a)
			}
		}
	}
	return opts
}

// knownFailures reads "name reason" lines (a case expected to fail, and why).
func knownFailures(t *testing.T, file string) map[string]string {
	t.Helper()
	out := map[string]string{}
	f, err := os.Open(file)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, reason, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if name != "" && !strings.HasPrefix(name, "#") {
			out[name] = strings.TrimSpace(reason)
		}
	}
	return out
}

// TestGolden loads every case under testdata/golden (written from Docker Compose
// v2.29.7's output) and compares the JSON model semantically. Cases listed in
// KNOWN_FAILURES are skipped unless BERTH_GOLDEN_ALL is set.
func TestGolden(t *testing.T) {
	root := filepath.Join("testdata", "golden")
	entries, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		t.Skip("no golden cases in testdata/golden yet")
	}
	if err != nil {
		t.Fatal(err)
	}
	known := knownFailures(t, filepath.Join(root, "KNOWN_FAILURES"))
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			if reason, ok := known[e.Name()]; ok && os.Getenv("BERTH_GOLDEN_ALL") == "" {
				t.Skipf("known failure (KNOWN_FAILURES): %s", reason)
			}
			dir, err := filepath.Abs(filepath.Join(root, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			runGolden(t, dir)
		})
	}
}

func runGolden(t *testing.T, dir string) {
	t.Helper()
	opts := goldenOptions(t, dir)
	p, err := Load(context.Background(), opts)
	if _, statErr := os.Stat(filepath.Join(dir, "oracle.err")); statErr == nil {
		if err == nil {
			t.Fatalf("Load(%q) succeeded, want an error like Compose's oracle.err", dir)
		}
		return
	}
	want, rerr := os.ReadFile(filepath.Join(dir, "want.json"))
	if rerr != nil {
		t.Skipf("case has neither want.json nor oracle.err yet")
	}
	if err != nil {
		t.Fatalf("Load(%q) = %v, want success", dir, err)
	}
	compareJSON(t, p, dir, opts.Environ["HOME"], want)
}

func compareJSON(t *testing.T, p *Project, dir, home string, want []byte) {
	t.Helper()
	got, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	gotStr := strings.ReplaceAll(string(got), dir, "__DIR__")
	if home != "" {
		gotStr = strings.ReplaceAll(gotStr, home, "__HOME__")
	}
	var g, w any
	if err := json.Unmarshal([]byte(gotStr), &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want.json: %v", err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("Load(%q) model mismatch (-want +got):\n%s", dir, diff)
	}
}
