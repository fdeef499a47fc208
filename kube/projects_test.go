package kube

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
)

// exampleProjects loads every examples/*/compose.yaml.
func exampleProjects(t *testing.T) map[string]*compose.Project {
	t.Helper()
	files, err := filepath.Glob("../examples/*/compose.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	out := map[string]*compose.Project{}
	for _, f := range files {
		dir, err := filepath.Abs(filepath.Dir(f))
		if err != nil {
			t.Fatal(err)
		}
		p, err := loadCase(t, dir)
		if err != nil {
			t.Fatalf("load %s: %v", f, err)
		}
		out["examples/"+filepath.Base(dir)] = p
	}
	return out
}

// caseProject is a golden case's project and options.
type caseProject struct {
	p    *compose.Project
	opts Options
}

// caseProjects loads the golden cases of testdata/cases that convert (not err-*).
func caseProjects(t *testing.T) map[string]caseProject {
	t.Helper()
	dirs, err := filepath.Glob("testdata/cases/*")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]caseProject{}
	for _, d := range dirs {
		if strings.HasPrefix(filepath.Base(d), "err-") {
			continue
		}
		dir, err := filepath.Abs(d)
		if err != nil {
			t.Fatal(err)
		}
		p, err := loadCase(t, dir)
		if err != nil {
			t.Fatalf("load %s: %v", d, err)
		}
		out[filepath.Base(dir)] = caseProject{p: p, opts: caseOptions(t, dir)}
	}
	return out
}

// conformanceEntry is one case of the conformance suite's reference-outputs/INDEX.json.
type conformanceEntry struct {
	Set    string            `json:"set"`
	File   string            `json:"file"`
	Env    map[string]string `json:"env"`
	Result string            `json:"result"`
}

// conformanceProjects loads the compose files of the external conformance suite
// ($BERTH_CONFORMANCE, default ../../shared/conformance beside the repository) that
// Compose loads; nil when the suite is absent. Files berth's loader refuses are the
// loader's business (its own conformance test) and are skipped here.
func conformanceProjects(t *testing.T) map[string]*compose.Project {
	t.Helper()
	root := os.Getenv("BERTH_CONFORMANCE")
	if root == "" {
		root = filepath.Join("..", "..", "shared", "conformance")
	}
	root, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "reference-outputs", "INDEX.json"))
	if err != nil {
		t.Logf("conformance suite not found at %s (set BERTH_CONFORMANCE): only the examples are applied", root)
		return nil
	}
	var entries []conformanceEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		t.Fatalf("decode conformance index: %v", err)
	}
	out := map[string]*compose.Project{}
	for _, e := range entries {
		if e.Result == "error.txt" {
			continue
		}
		file := filepath.Join(root, e.Set, e.File)
		env := map[string]string{"HOME": "/home/tester"}
		for k, v := range e.Env {
			env[k] = v
		}
		p, err := compose.Load(context.Background(), compose.Options{Files: []string{file}, WorkingDir: filepath.Dir(file), Environ: env})
		if err != nil {
			t.Logf("conformance %s/%s: not loaded by berth, skipped: %v", e.Set, e.File, err)
			continue
		}
		out[e.Set+"/"+e.File] = p
	}
	return out
}
