package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// exampleScenarios run each stack of examples/ as its README section tells a user to,
// against a copy of the stack with its binaries built; every stack must have one.
var exampleScenarios = map[string]func(e *e2e, file string){
	"webapp":    webappScenario,
	"migrate":   migrateScenario,
	"ci":        ciScenario,
	"realstack": realstackScenario,
}

func TestE2EExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "*", "compose.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("examples: %v, %d compose files", err, len(files))
	}
	var stacks []string
	for _, f := range files {
		stacks = append(stacks, filepath.Base(filepath.Dir(f)))
	}
	for _, stack := range stacks {
		if exampleScenarios[stack] == nil {
			t.Errorf("examples/%s has no scenario in exampleScenarios", stack)
		}
	}
	sort.Strings(stacks)
	for _, stack := range stacks {
		scenario := exampleScenarios[stack]
		if scenario == nil {
			continue
		}
		t.Run(stack, func(t *testing.T) {
			e := newE2E(t)
			dir := copyExample(t, stack)
			scenario(e, filepath.Join(dir, "compose.yaml"))
			e.mustBerth("-f", filepath.Join(dir, "compose.yaml"), "down", "-v", "-t", "1")
			e.assertNoLeaks()
		})
	}
}

// copyExample copies examples/<stack> into a temporary directory, leaving out built
// binaries, and builds each service's static binary into <service>/bin/ there, as
// `make examples` does in the source tree.
func copyExample(t *testing.T, stack string) string {
	t.Helper()
	src := filepath.Join("..", "..", "examples", stack)
	dst := filepath.Join(t.TempDir(), stack)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() && d.Name() == "bin" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, info.Mode().Perm()) // scripts stay executable
	})
	if err != nil {
		t.Fatalf("copy examples/%s: %v", stack, err)
	}
	mains, _ := filepath.Glob(filepath.Join(src, "*", "main.go"))
	for _, m := range mains {
		svc := filepath.Base(filepath.Dir(m))
		cmd := exec.Command("go", "build", "-o", filepath.Join(dst, svc, "bin", svc), "./"+filepath.ToSlash(filepath.Dir(m)))
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build examples/%s/%s: %v\n%s", stack, svc, err, out)
		}
	}
	return dst
}

// webappScenario: up builds the missing images, web answers on the published port
// through kv found by name, the volume keeps the counter across down and up, and
// `up --build` after a change recreates only the container whose image changed.
func webappScenario(e *e2e, file string) {
	t := e.t
	port := freePort(t)
	e.env = append(e.env, "WEB_PORT="+port)
	_, errs, err := e.berth("-f", file, "up", "-d")
	if err != nil {
		t.Fatalf("up -d: %v\n%s", err, errs)
	}
	for _, svc := range []string{"kv", "web", "worker"} {
		for _, want := range []string{" Image " + e.project + "-" + svc + "  Building", " Image " + e.project + "-" + svc + "  Built"} {
			if !strings.Contains(errs, want) {
				t.Errorf("up -d without images: stderr lacks %q:\n%s", want, errs)
			}
		}
	}
	url := "http://127.0.0.1:" + port + "/"
	for _, want := range []string{"Visits: 1\n", "Visits: 2\n"} {
		if got := e.httpGet(url); !strings.Contains(got, want) || !strings.Contains(got, "kv resolved to 10.240.") {
			t.Errorf("GET %s = %q, want %q and kv's address from berth's DNS", url, got, want)
		}
	}
	e.waitLog(file, "worker: heartbeat 1")
	if out := e.mustBerth("-f", file, "ps", "kv"); !strings.Contains(out, "(healthy)") {
		t.Errorf("ps kv = %q, want (healthy)", out)
	}
	before := e.mustBerth("-f", file, "ps", "-q", "kv", "web")
	_, errs, _ = e.berth("-f", file, "up", "-d")
	if strings.Contains(errs, "Building") {
		t.Errorf("second up -d built again:\n%s", errs)
	}
	if after := e.mustBerth("-f", file, "ps", "-q", "kv", "web"); after != before {
		t.Errorf("ps -q after a second up = %q, want the kept containers %q", after, before)
	}
	dockerfile := filepath.Join(filepath.Dir(file), "web", "Dockerfile")
	b, _ := os.ReadFile(dockerfile)
	os.WriteFile(dockerfile, append(b, "LABEL org.example.revision=2\n"...), 0o644)
	_, errs, err = e.berth("-f", file, "up", "-d", "--build")
	if err != nil || !strings.Contains(errs, " Image "+e.project+"-kv  Building") {
		t.Errorf("up -d --build = %v, want every image built again:\n%s", err, errs)
	}
	if !strings.Contains(errs, "Container "+e.project+"-web-1  Created") || strings.Contains(errs, "Container "+e.project+"-kv-1  Created") {
		t.Errorf("up -d --build after a change to web: want web recreated, kv kept:\n%s", errs)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.mustBerth("-f", file, "up", "-d", "--wait")
	if got := e.httpGet(url); !strings.Contains(got, "Visits: 3\n") {
		t.Errorf("GET after down and up = %q, want the volume's count to go on (Visits: 3)", got)
	}
}

// migrateScenario: --no-build refuses a missing image and creates nothing; up runs
// the migration to completion before the api starts; run --rm migrate is idempotent.
func migrateScenario(e *e2e, file string) {
	t := e.t
	port := freePort(t)
	e.env = append(e.env, "API_PORT="+port)
	_, errs, err := e.berth("-f", file, "up", "-d", "--no-build")
	named := strings.Contains(errs, `service "api"`) || strings.Contains(errs, `service "migrate"`)
	if err == nil || !named || !strings.Contains(errs, "--no-build forbids building it") {
		t.Errorf("up --no-build without images = %v, stderr %q; want an error naming the service", err, errs)
	}
	if _, err := os.Stat(filepath.Join(e.root, "projects", e.project)); err == nil {
		t.Errorf("up --no-build without images left a project dir")
	}
	e.mustBerth("-f", file, "up", "-d", "--wait")
	want := "schema version 2 (001_create_users.sql, 002_add_email.sql)\n"
	if got := e.httpGet("http://127.0.0.1:" + port + "/version"); got != want {
		t.Errorf("GET /version = %q, want %q", got, want)
	}
	if out := e.mustBerth("-f", file, "ps", "-a", "migrate"); !strings.Contains(out, "Exited (0)") {
		t.Errorf("ps -a migrate = %q, want Exited (0)", out)
	}
	logs := e.mustBerth("-f", file, "logs", "--no-log-prefix")
	if i, j := strings.Index(logs, "schema at version 2"), strings.Index(logs, "api: schema at version 2"); i < 0 || j < 0 {
		t.Errorf("logs = %q, want the migration's and the api's lines", logs)
	}
	out, errs, err := e.berth("-f", file, "run", "--rm", "migrate")
	if err != nil || strings.Contains(out+errs, "applying") || !strings.Contains(out+errs, "schema at version 2") {
		t.Errorf("run --rm migrate again = %v, output %q; want nothing applied, version 2", err, out+errs)
	}
}

// ciScenario: up --wait brings the app up healthy (the tests service is in a profile),
// run --rm tests builds its image, passes and removes its container.
func ciScenario(e *e2e, file string) {
	t := e.t
	_, errs, err := e.berth("-f", file, "up", "--wait")
	if err != nil {
		t.Fatalf("up --wait: %v\n%s", err, errs)
	}
	if strings.Contains(errs, e.project+"-tests") {
		t.Errorf("up --wait touched the tests service of an inactive profile:\n%s", errs)
	}
	if out := e.mustBerth("-f", file, "ps", "app"); !strings.Contains(out, "(healthy)") {
		t.Errorf("ps app = %q, want (healthy)", out)
	}
	out, errs, err := e.berth("-f", file, "run", "--rm", "tests")
	if err != nil || !strings.Contains(out, "--- PASS: TestGreet ") || !strings.HasSuffix(out, "PASS\n") {
		t.Errorf("run --rm tests = %v\nstdout:\n%s\nstderr:\n%s", err, out, errs)
	}
	if !strings.Contains(errs, " Image "+e.project+"-tests  Built") {
		t.Errorf("run --rm tests did not build its missing image:\n%s", errs)
	}
	if out := e.mustBerth("-f", file, "ps", "-a", "-q"); strings.Count(out, "\n") != 1 {
		t.Errorf("ps -a -q after run --rm = %q, want only the app's container", out)
	}
}
