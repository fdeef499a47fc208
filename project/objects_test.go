package project

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

func TestObjectMounts(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pw.txt")
	if err := os.WriteFile(file, []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	mode := uint32(0o400)
	p := &compose.Project{Name: "p", Env: map[string]string{"TOKEN": "t0k"},
		Secrets: map[string]compose.SecretConfig{"pw": {File: file}, "token": {Environment: "TOKEN"},
			"unset": {Environment: "NOPE"}, "swarm": {External: true}, "gone": {File: filepath.Join(dir, "gone")}},
		Configs: map[string]compose.ConfigObjConfig{"inline": {Content: "a=1"}, "conf": {File: file}}}
	cfg := Config{Root: dir}
	written := filepath.Join(mustPath(cfg.projectDir("p")), "secrets", "token-"+strconv.Itoa(os.Getuid())+"-"+strconv.Itoa(os.Getgid())+"-400")
	svc := compose.ServiceConfig{Name: "web",
		Secrets: []compose.ServiceSecretConfig{{Source: "pw"}, {Source: "token", Target: "tok", Mode: &mode,
			UID: strconv.Itoa(os.Getuid()), GID: strconv.Itoa(os.Getgid())}, {Source: "pw", Target: "/etc/pw"}},
		Configs: []compose.ServiceConfigObjConfig{{Source: "inline"}, {Source: "conf", Target: "/etc/app.conf"}}}
	got, err := cfg.objectMounts(p, svc)
	if err != nil {
		t.Fatal(err)
	}
	want := []engine.Mount{
		{Type: "bind", Source: file, Target: "/run/secrets/pw", ReadOnly: true},
		{Type: "bind", Source: written, Target: "/run/secrets/tok", ReadOnly: true},
		{Type: "bind", Source: file, Target: "/etc/pw", ReadOnly: true},
		{Type: "bind", Source: filepath.Join(mustPath(cfg.projectDir("p")), "configs", "inline-"+strconv.Itoa(os.Getuid())+"-"+strconv.Itoa(os.Getgid())+"-444"),
			Target: "/inline", ReadOnly: true},
		{Type: "bind", Source: file, Target: "/etc/app.conf", ReadOnly: true},
	}
	if len(got) != len(want) {
		t.Fatalf("objectMounts = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("mount %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if b, err := os.ReadFile(written); err != nil || string(b) != "t0k" {
		t.Errorf("written secret = %q, %v; want t0k", b, err)
	}
	if fi, err := os.Stat(written); err != nil || fi.Mode().Perm() != 0o400 {
		t.Errorf("written secret mode = %v, %v; want 0400", fi.Mode(), err)
	}

	for _, tt := range []struct{ source, err string }{
		{"unset", `secrets.unset: environment variable "NOPE" is not set: invalid`},
		{"swarm", `secrets.swarm: external secrets exist only in Docker Swarm: invalid`},
		{"gone", `secrets.gone: file: stat ` + filepath.Join(dir, "gone") + `: no such file or directory`},
	} {
		bad := compose.ServiceConfig{Name: "web", Secrets: []compose.ServiceSecretConfig{{Source: tt.source}}}
		errs := cfg.objectErrors(p, bad)
		if len(errs) != 1 || errs[0].Path+": "+errs[0].Msg != tt.err || !errors.Is(errs[0], compose.ErrInvalid) {
			t.Errorf("objectErrors(%s) = %v, want %q", tt.source, errs, tt.err)
		}
	}
	if _, err := os.Stat(filepath.Join(mustPath(cfg.projectDir("p")), "secrets", "unset-0-0-444")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("a check wrote a file: %v", err)
	}
}
