package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// loadCase loads the compose project of dir in a clean environment (the variables of
// its file "env", KEY=VALUE lines, if any).
func loadCase(t *testing.T, dir string) (*compose.Project, error) {
	t.Helper()
	env := map[string]string{"HOME": "/tmp/home", "PATH": "/usr/bin:/bin"}
	if data, err := os.ReadFile(filepath.Join(dir, "env")); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				env[k] = v
			}
		}
	}
	return compose.Load(context.Background(), compose.Options{WorkingDir: dir, Environ: env})
}

// caseOptions reads the case's options.json (kube.Options), if any.
func caseOptions(t *testing.T, dir string) Options {
	t.Helper()
	var opts Options
	data, err := os.ReadFile(filepath.Join(dir, "options.json"))
	if errors.Is(err, os.ErrNotExist) {
		return opts
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &opts); err != nil {
		t.Fatalf("%s/options.json: %v", dir, err)
	}
	return opts
}

// TestGolden converts each case of testdata/cases (a table of Compose features, one
// directory each) and compares the manifests with want.yaml and the warnings with
// want.warn; a case with want.err must fail with that message. `go test ./kube
// -update` rewrites them.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/cases/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases in testdata/cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			abs, err := filepath.Abs(dir)
			if err != nil {
				t.Fatal(err)
			}
			goldenCase(t, abs, abs, caseOptions(t, abs))
		})
	}
}

// TestExamples converts every examples/*/compose.yaml; the manifests and warnings are
// kept under testdata/examples/<name>.
func TestExamples(t *testing.T) {
	dirs, err := filepath.Glob("../examples/*/compose.yaml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range dirs {
		dir, err := filepath.Abs(filepath.Dir(f))
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			golden, err := filepath.Abs(filepath.Join("testdata", "examples", name))
			if err != nil {
				t.Fatal(err)
			}
			goldenCase(t, dir, golden, Options{})
		})
	}
}

func goldenCase(t *testing.T, dir, golden string, opts Options) {
	t.Helper()
	p, err := loadCase(t, dir)
	if err != nil {
		t.Fatalf("Load(%s): %v", dir, err)
	}
	res, err := Convert(p, opts)
	if err != nil {
		checkGolden(t, filepath.Join(golden, "want.err"), []byte(strings.ReplaceAll(err.Error(), dir, "__DIR__")+"\n"))
		return
	}
	if _, statErr := os.Stat(filepath.Join(golden, "want.err")); statErr == nil && !*update {
		t.Fatalf("Convert succeeded, want the error of want.err")
	}
	manifests, err := Stream(res.Objects)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	// A hostPath holds the case's absolute directory: __DIR__, so the file fits any clone.
	checkGolden(t, filepath.Join(golden, "want.yaml"), bytes.ReplaceAll(manifests, []byte(dir), []byte("__DIR__")))
	var warns bytes.Buffer
	for _, w := range res.Warnings {
		warns.WriteString(strings.ReplaceAll(w.String(), dir, "__DIR__") + "\n")
	}
	checkGolden(t, filepath.Join(golden, "want.warn"), warns.Bytes())
}

func checkGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read golden file (regenerate with -update): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", file, diff)
	}
}
