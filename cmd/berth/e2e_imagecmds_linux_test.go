package main

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// imageCmdsCompose is a project whose app is built, named for the registry reg, and
// changes its own file system as it starts; snap runs the image commit makes.
const imageCmdsCompose = `services:
  app:
    build:
      context: .
      dockerfile_inline: |
        FROM bte-busybox
        RUN echo built > /built
      tags: ["%[1]s/bte/app:extra"]
    image: %[1]s/bte/app:1
    command: ["sh", "-c", "echo changed > /tmp/changed; rm /etc/passwd; echo vol > /data/vol; sleep 1000"]
    volumes: ["data:/data"]
  other:
    image: bte-busybox
    command: ["sleep", "1000"]
  snap:
    image: bte-committed:1
    profiles: ["snap"]
volumes:
  data: {}
`

// tarEntries reads a tar archive into name -> content (directories: "").
func tarEntries(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	out := map[string]string{}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read tar: %v", err)
		}
		b, _ := io.ReadAll(tr)
		out[strings.TrimSuffix(hdr.Name, "/")] = string(b)
	}
}

// TestE2EExportCommit: export archives the container's layers without its volume, to
// stdout or -o; commit makes an image of its changes that a service runs at once.
func TestE2EExportCommit(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, fmt.Appendf(nil, imageCmdsCompose, "127.0.0.1:1"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.mustBerth("-f", file, "build", "-q", "app")
	e.mustBerth("-f", file, "up", "-d")
	if !eventually(10*time.Second, func() bool {
		out, _, err := e.berth("-f", file, "exec", "app", "cat", "/data/vol")
		return err == nil && out == "vol\n"
	}) {
		t.Fatal("app did not make its changes")
	}

	out, errs, err := e.berth("-f", file, "export", "app")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, errs)
	}
	if !strings.Contains(errs, "Container "+e.project+"-app-1  Exporting") {
		t.Errorf("export stderr = %q, want Compose's status line", errs)
	}
	got := tarEntries(t, strings.NewReader(out))
	for name, want := range map[string]string{"tmp/changed": "changed\n", "built": "built\n", "data": "", "proc": ""} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("export: %s = %q (present %v), want %q", name, v, ok, want)
		}
	}
	for _, gone := range []string{"etc/passwd", "data/vol"} {
		if _, ok := got[gone]; ok {
			t.Errorf("export holds %s (removed, or in a volume)", gone)
		}
	}
	archive := filepath.Join(dir, "app.tar")
	e.mustBerth("-f", file, "export", "-o", archive, "--index", "1", "app")
	if fi, err := os.Stat(archive); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("export -o: %v, %v; want a 0600 file", fi, err)
	} else if f, err := os.Open(archive); err == nil {
		if n := len(tarEntries(t, f)); n != len(got) {
			t.Errorf("export -o holds %d entries, stdout %d", n, len(got))
		}
		f.Close()
	}
	if _, errs, err := e.berth("-f", file, "export", "--index", "2", "app"); exitCode(err) != 1 || !strings.Contains(errs, `service "app" is not running container #2`) {
		t.Errorf("export --index 2 = %v, %q; want exit 1 and Compose's error", err, errs)
	}

	_, errs, err = e.berth("-f", file, "commit", "-a", "Ann", "-m", "snapshot", "-c", "ENV X=1", "app", "bte-committed:1")
	if err != nil || !strings.Contains(errs, "Committed as sha256:") {
		t.Fatalf("commit: %v\n%s", err, errs)
	}
	out = e.mustBerth("-f", file, "run", "--rm", "snap", "sh", "-c", `cat /built /tmp/changed; echo "X=$X"; test -e /etc/passwd || echo no-passwd; ls /data`)
	if want := "built\nchanged\nX=1\nno-passwd\n"; out != want {
		t.Errorf("run of the committed image = %q, want %q", out, want)
	}
	if out := e.mustBerth("image", "history", "--format", "{{.CreatedBy}}|{{.Comment}}", "bte-committed:1"); !strings.HasPrefix(out, "sh -c echo changed") || !strings.Contains(strings.SplitN(out, "\n", 2)[0], "|snapshot") {
		t.Errorf("history of the committed image = %q, want the container's command and the message on top", out)
	}
	e.mustBerth("-f", file, "down", "-v", "-t", "1")
}

// TestE2EPush: push sends the built service's image and its build tags to the registry
// its name says (and skips the others); a second push uploads nothing; the image
// pulled back into a fresh root runs.
func TestE2EPush(t *testing.T) {
	reg := testenv.StartRegistry(t, "", "")
	e := newE2E(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, fmt.Appendf(nil, imageCmdsCompose, reg), 0o644); err != nil {
		t.Fatal(err)
	}
	e.mustBerth("-f", file, "build", "-q", "app")
	_, errs, err := e.berth("-f", file, "push")
	if err != nil {
		t.Fatalf("push: %v\n%s", err, errs)
	}
	for _, want := range []string{" Service other  Skipped\n", " Image " + reg + "/bte/app:1  Pushing\n", " Image " + reg + "/bte/app:1  Pushed\n",
		" Image " + reg + "/bte/app:extra  Pushed\n", ": Pushed\n"} {
		if !strings.Contains(errs, want) {
			t.Errorf("push stderr lacks %q:\n%s", want, errs)
		}
	}
	_, errs = e.mustBerthErr("-f", file, "push", "app")
	if strings.Contains(errs, ": Pushed\n") || !strings.Contains(errs, ": Layer already exists\n") {
		t.Errorf("second push stderr = %q, want every layer already there", errs)
	}
	if _, errs = e.mustBerthErr("-f", file, "push", "-q", "app"); errs != "" {
		t.Errorf("push -q stderr = %q, want nothing", errs)
	}

	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("services:\n  bad:\n    build: .\n    image: 127.0.0.1:1/bte/bad:1\n"), 0o644)
	if _, errs, err := e.berth("-f", bad, "push"); exitCode(err) != 1 || !strings.Contains(errs, "Image 127.0.0.1:1/bte/bad:1  Error") {
		t.Errorf("push of a missing image = %v, %q; want exit 1 and an Error line", err, errs)
	}
	if _, errs, err := e.berth("-f", bad, "push", "--ignore-push-failures"); err != nil || !strings.Contains(errs, "Image 127.0.0.1:1/bte/bad:1  Warning") {
		t.Errorf("push --ignore-push-failures = %v, %q; want exit 0 and a Warning line", err, errs)
	}

	fresh := newE2E(t)
	pulled := filepath.Join(t.TempDir(), "compose.yaml")
	os.WriteFile(pulled, fmt.Appendf(nil, "services:\n  app:\n    image: %s/bte/app:1\n", reg), 0o644)
	fresh.mustBerth("-f", pulled, "pull", "app")
	if out := fresh.mustBerth("-f", pulled, "run", "--rm", "app", "cat", "/built"); out != "built\n" {
		t.Errorf("run of the pulled-back image = %q, want %q", out, "built\n")
	}
}

// TestE2EBuildPushPrint: build --print prints the bake file and builds nothing; build
// --with-dependencies --push builds the dependency too and pushes both.
func TestE2EBuildPushPrint(t *testing.T) {
	reg := testenv.StartRegistry(t, "", "")
	e := newE2E(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	compose := fmt.Sprintf(`services:
  lib:
    build:
      context: .
      dockerfile_inline: "FROM bte-busybox\nRUN echo lib > /lib\n"
    image: %[1]s/bte/lib:1
  app:
    build:
      context: .
      dockerfile_inline: "FROM bte-busybox\nRUN echo app > /app\n"
    image: %[1]s/bte/app:1
    depends_on: [lib]
`, reg)
	if err := os.WriteFile(file, []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	out := e.mustBerth("-f", file, "build", "--print", "app")
	var bake struct {
		Group  map[string]struct{ Targets []string } `json:"group"`
		Target map[string]struct {
			Context string   `json:"context"`
			Tags    []string `json:"tags"`
			Output  []string `json:"output"`
		} `json:"target"`
	}
	if err := json.Unmarshal([]byte(out), &bake); err != nil {
		t.Fatalf("build --print = %q: %v", out, err)
	}
	if got := bake.Group["default"].Targets; len(got) != 1 || got[0] != "app" {
		t.Errorf("build --print default group = %v, want [app]", got)
	}
	if app := bake.Target["app"]; app.Context != dir || len(app.Tags) != 1 || app.Tags[0] != reg+"/bte/app:1" || app.Output[0] != "type=docker" {
		t.Errorf("build --print target app = %+v", app)
	}
	if _, ok := bake.Target["lib"]; !ok {
		t.Errorf("build --print lacks the dependency's target lib: %s", out)
	}
	if _, _, err := e.berth("image", "history", reg+"/bte/app:1"); err == nil {
		t.Errorf("build --print built the image")
	}

	_, errs := e.mustBerthErr("-f", file, "build", "--with-dependencies", "--push", "app")
	for _, want := range []string{" Image " + reg + "/bte/lib:1  Pushed\n", " Image " + reg + "/bte/app:1  Pushed\n"} {
		if !strings.Contains(errs, want) {
			t.Errorf("build --with-dependencies --push stderr lacks %q:\n%s", want, errs)
		}
	}
	for _, repo := range []string{"bte/lib", "bte/app"} {
		if got := e.httpGet("http://" + reg + "/v2/" + repo + "/tags/list"); !strings.Contains(got, `"1"`) {
			t.Errorf("registry tags of %s = %q, want tag 1", repo, got)
		}
	}
}

// mustBerthErr is mustBerth that also returns stderr.
func (e *e2e) mustBerthErr(args ...string) (string, string) {
	e.t.Helper()
	out, errs, err := e.berth(args...)
	if err != nil {
		e.t.Fatalf("berth %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, errs)
	}
	return out, errs
}
