package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2ESeccomp: Docker's default seccomp profile binds a service's containers and
// its execs; security_opt seccomp=unconfined lifts it and seccomp=FILE (relative to the
// project dir) replaces it; neither is warned about.
func TestE2ESeccomp(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  confined:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  open:
    image: bte-busybox
    security_opt: ["seccomp=unconfined"]
  custom:
    image: bte-busybox
    security_opt: ["seccomp=profiles/deny-mkdir.json"]
`)
	profile := `{"defaultAction": "SCMP_ACT_ALLOW", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}],
  "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}`
	dir := filepath.Join(filepath.Dir(file), "profiles")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "deny-mkdir.json"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	unshare := "busybox unshare -U -r true 2>/dev/null && echo allowed || echo denied"
	mkdir := "busybox mkdir /tmp/x 2>/dev/null && echo made || echo denied"
	for _, tt := range []struct{ service, cmd, want string }{
		{"confined", unshare, "denied\n"},
		{"open", unshare, "allowed\n"},
		{"custom", mkdir, "denied\n"},
		{"custom", unshare, "allowed\n"},
		{"open", mkdir, "made\n"},
	} {
		out, errs, err := e.berth("-f", file, "run", "--rm", "--no-deps", tt.service, "sh", "-c", tt.cmd)
		if err != nil || out != tt.want || strings.Contains(errs, "security option") {
			t.Errorf("run %s %q = %v, stdout %q, stderr %q; want %q and no warning", tt.service, tt.cmd, err, out, errs, tt.want)
		}
	}
	e.mustBerth("-f", file, "up", "-d", "confined")
	if out := e.mustBerth("-f", file, "exec", "confined", "sh", "-c", unshare); out != "denied\n" {
		t.Errorf("exec in confined: %q, want denied", out)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
}
