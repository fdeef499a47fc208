package project

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/google/go-cmp/cmp"
)

// TestCheckServicesAllAtOnce: the problems of every service (values Docker refuses,
// secrets that cannot be given, a secret shared by two services once) come back in one
// error, each at its file:line:col, before anything is made.
func TestCheckServicesAllAtOnce(t *testing.T) {
	dir := t.TempDir()
	yaml := `services:
  web:
    image: x
    restart: sometimes
    secrets: [gone, token]
  worker:
    image: x
    tmpfs: [relative]
    secrets: [gone]
secrets:
  gone:
    file: ./gone.txt
  token:
    environment: BERTH_TEST_UNSET_TOKEN
`
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := compose.Load(context.Background(), compose.Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Root: t.TempDir()}
	err = cfg.checkServices(p, []string{"web", "worker"})
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(errorString(err)), "\n") {
		got = append(got, strings.ReplaceAll(line, dir+"/", ""))
	}
	want := []string{
		`compose.yaml:4:14: services.web.restart: "sometimes": want no, always, on-failure[:max-retries] or unless-stopped`,
		`compose.yaml:8:13: services.worker.tmpfs[0]: tmpfs "relative": the path must be absolute`,
		`compose.yaml:12:11: secrets.gone: file: stat gone.txt: no such file or directory`,
		`compose.yaml:14:18: secrets.token: environment variable "BERTH_TEST_UNSET_TOKEN" is not set: invalid`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checkServices mismatch (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(cfg.Root, "projects")); !os.IsNotExist(err) {
		t.Errorf("the check made the projects dir: %v", err)
	}
}

func errorString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestPortConflictAt: a host port two services of the plan publish is refused at the
// second one's port entry, file:line:col.
func TestPortConflictAt(t *testing.T) {
	dir := t.TempDir()
	yaml := "services:\n  a:\n    image: x\n    ports: [\"127.0.0.1:1:80\"]\n  b:\n    image: x\n    ports:\n      - \"127.0.0.1:1:80\"\n"
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := compose.Load(context.Background(), compose.Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	plan := Plan{{Kind: ActRecreate, Service: "a", Name: "x-a-1"}, {Kind: ActRecreate, Service: "b", Name: "x-b-1"}}
	err = Config{Root: t.TempDir()}.checkConflicts(p, plan)
	want := filepath.Join(dir, "compose.yaml") + ":8:9: services.b.ports[0]: host port tcp/1 is also published by container x-a-1"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("checkConflicts = %v, want %q", err, want)
	}
}
