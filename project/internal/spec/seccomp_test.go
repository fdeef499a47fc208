package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine"
)

func TestSeccompProfile(t *testing.T) {
	p := loadYAML(t, `services:
  default: {image: busybox}
  unconfined: {image: busybox, security_opt: ["no-new-privileges", "seccomp=unconfined"]}
  colon: {image: busybox, security_opt: ["seccomp:unconfined"]}
  builtin: {image: busybox, security_opt: ["seccomp=builtin"]}
  relative: {image: busybox, security_opt: ["seccomp=profiles/deny.json"]}
  absolute: {image: busybox, security_opt: ["label=disable", "seccomp=ABS"]}
  missing: {image: busybox, security_opt: ["seccomp=nope.json"]}
  badjson: {image: busybox, security_opt: ["seccomp=bad.json"]}
  notify: {image: busybox, security_opt: ["seccomp=notify.json"]}
`)
	files := map[string]string{
		"profiles/deny.json": "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [{\"names\": [\"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}]\n}\n",
		"bad.json":           `{"defaultAction": `,
		"notify.json":        `{"defaultAction": "SCMP_ACT_NOTIFY"}`,
	}
	for name, content := range files {
		path := filepath.Join(p.WorkingDir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	svc := p.Services["absolute"]
	svc.SecurityOpt[1] = "seccomp=" + filepath.Join(p.WorkingDir, "profiles/deny.json")
	p.Services["absolute"] = svc
	deny := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`
	tests := []struct {
		service, want, wantErr string
	}{
		{"default", "", ""},
		{"unconfined", engine.SeccompUnconfined, ""},
		{"colon", engine.SeccompUnconfined, ""},
		{"builtin", "", ""},
		{"relative", deny, ""},
		{"absolute", deny, ""},
		{"missing", "", "compose.yaml:8:"},
		{"badjson", "", "services.badjson.security_opt[0]: seccomp profile bad.json: unexpected end of JSON input"},
		{"notify", "", `SCMP_ACT_NOTIFY`},
	}
	for _, tt := range tests {
		got, err := SeccompProfile(p, p.Services[tt.service])
		if tt.wantErr == "" && (err != nil || got != tt.want) {
			t.Errorf("SeccompProfile(%s) = %q, %v; want %q", tt.service, got, err, tt.want)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("SeccompProfile(%s) = %v, want an error containing %q", tt.service, err, tt.wantErr)
		}
	}
}
