package compose

import (
	"bufio"
	"context"
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
		case "--no-path-resolution":
			opts.NoResolvePaths = true
		case "--no-env-resolution":
			opts.NoEnvResolution = true
		case "--no-consistency":
			opts.NoConsistency = true
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

// TestGolden loads every case under testdata/golden (recorded from Docker Compose
// v5.6.0's output) and compares berth's JSON and YAML renderings with the oracle's,
// byte for byte. Cases listed in KNOWN_FAILURES are skipped unless BERTH_GOLDEN_ALL
// is set.
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
	got, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	compareBytes(t, "want.json", placeholders(got, dir, home), want)
	wantYAML, err := os.ReadFile(filepath.Join(dir, "want.yaml"))
	if err != nil {
		return
	}
	got, err = p.YAML()
	if err != nil {
		t.Fatal(err)
	}
	compareBytes(t, "want.yaml", placeholders(got, dir, home), wantYAML)
}

// placeholders writes the case directory and $HOME as the golden files do.
func placeholders(out []byte, dir, home string) string {
	s := strings.ReplaceAll(string(out), dir, "__DIR__")
	if home != "" {
		s = strings.ReplaceAll(s, home, "__HOME__")
	}
	return s
}

// compareBytes fails unless got is byte for byte the oracle's output (the users'
// `diff` of the two tools' outputs must be empty); the diff shown is by line.
func compareBytes(t *testing.T, file, got string, want []byte) {
	t.Helper()
	if got == string(want) {
		return
	}
	diff := cmp.Diff(strings.SplitAfter(string(want), "\n"), strings.SplitAfter(got, "\n"))
	t.Errorf("%s: output differs from the oracle's bytes (-want +got):\n%s", file, diff)
}
