package engine

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// probeLayer builds a layer holding testdata/sysprobe as /sysprobe.
func probeLayer(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "sysprobe"), "./testdata/sysprobe")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// TestSeccompDefault: Docker's default profile binds every container that does not
// ask otherwise: no user namespaces (and so no mounts in one), no keyrings, clone3
// answers ENOSYS, personality and ptrace as Docker allows them.
func TestSeccompDefault(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	layers := []string{busyboxLayer(t), probeLayer(t)}
	denied := "denied\n"
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"unshare user ns", Spec{Cmd: []string{"sh", "-c", "unshare -U -r true 2>/dev/null && echo allowed || echo denied"}}, denied},
		{"mount in a user ns", Spec{Cmd: []string{"sh", "-c", "unshare -U -r -m mount -t tmpfs t /tmp 2>/dev/null && echo allowed || echo denied"}}, denied},
		{"keyrings", Spec{Cmd: []string{"/sysprobe", "add_key", "keyctl"}}, "add_key=EPERM\nkeyctl=EPERM\n"},
		{"clone3 ENOSYS", Spec{Cmd: []string{"/sysprobe", "clone3"}}, "clone3=ENOSYS\n"},
		{"personality", Spec{Cmd: []string{"/sysprobe", "personality-query", "personality-noaslr"}}, "personality-query=ok\npersonality-noaslr=EPERM\n"},
		{"ptrace allowed", Spec{Cmd: []string{"/sysprobe", "ptrace-peek"}}, "ptrace-peek=ESRCH\n"},
		{"no vsock", Spec{Cmd: []string{"/sysprobe", "socket-vsock"}}, "socket-vsock=EPERM\n"},
		{"busybox works", Spec{Cmd: []string{"sh", "-c", "mkdir /tmp/d && touch /tmp/d/f && ls /tmp/d && echo $(id -u) | tr 0 z && sleep 0"}}, "f\nz\n"},
		{"no_new_privs: loaded last", Spec{Cmd: []string{"/sysprobe", "add_key", "getpid"}, NoNewPrivileges: true}, "add_key=EPERM\ngetpid=ok\n"},
		{"non-root user", Spec{Cmd: []string{"/sysprobe", "add_key", "getpid"}, User: "app"}, "add_key=EPERM\ngetpid=ok\n"},
		{"init", Spec{Cmd: []string{"/sysprobe", "add_key"}, Init: true}, "add_key=EPERM\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.LayerDirs = layers
			if out, es := run(t, e, tt.spec); out != tt.want || es.ExitCode != 0 {
				t.Errorf("run %v = %q, exit %d; want %q, exit 0", tt.spec.Cmd, out, es.ExitCode, tt.want)
			}
		})
	}
}

// TestSeccompExec: an exec is bound by the container's filter, even a privileged one.
func TestSeccompExec(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{ID: "sx" + randSuffix(), LayerDirs: []string{busyboxLayer(t), probeLayer(t)}, Cmd: []string{"sleep", "60"}}
	startContainer(t, e, spec)
	for _, es := range []ExecSpec{
		{Cmd: []string{"/sysprobe", "add_key", "clone3", "getpid"}},
		{Cmd: []string{"/sysprobe", "add_key", "clone3", "getpid"}, Privileged: true},
		{Cmd: []string{"/sysprobe", "add_key", "clone3", "getpid"}, User: "app"},
	} {
		var out bytes.Buffer
		es.Stdout, es.Stderr = &out, &out
		code, err := e.Exec(spec.ID, es)
		if want := "add_key=EPERM\nclone3=ENOSYS\ngetpid=ok\n"; err != nil || code != 0 || out.String() != want {
			t.Errorf("Exec(%v, privileged %v, user %q) = %d, %v, %q; want 0, %q", es.Cmd, es.Privileged, es.User, code, err, out.String(), want)
		}
	}
}

// TestSeccompProfiles: seccomp=unconfined, a custom profile, cap_add SYS_ADMIN (the
// default profile's capability rules) and privileged (unconfined, as Docker).
func TestSeccompProfiles(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	layers := []string{busyboxLayer(t), probeLayer(t)}
	const denyMkdir = `{"defaultAction":"SCMP_ACT_ALLOW","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],
		"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}`
	unshare := []string{"sh", "-c", "unshare -U -r true 2>/dev/null && echo allowed || echo denied"}
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"unconfined unshare", Spec{Cmd: unshare, Seccomp: SeccompUnconfined}, "allowed\n"},
		{"unconfined keyrings", Spec{Cmd: []string{"/sysprobe", "add_key"}, Seccomp: SeccompUnconfined}, "add_key=ok\n"},
		{"custom profile denies mkdir", Spec{Cmd: []string{"sh", "-c", "mkdir /tmp/x 2>/dev/null || echo denied; echo hi"}, Seccomp: denyMkdir}, "denied\nhi\n"},
		{"custom profile allows the rest", Spec{Cmd: []string{"/sysprobe", "mkdir", "add_key"}, Seccomp: denyMkdir}, "mkdir=EPERM\nadd_key=ok\n"},
		{"profile flags", Spec{Cmd: []string{"/sysprobe", "mkdir", "getpid"},
			Seccomp: `{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"],"syscalls":[{"names":["mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}`},
			"mkdir=EACCES\ngetpid=ok\n"},
		{"cap_add SYS_ADMIN unshare", Spec{Cmd: unshare, CapAdd: []string{"SYS_ADMIN"}}, "allowed\n"},
		{"cap_add SYS_ADMIN clone3", Spec{Cmd: []string{"/sysprobe", "clone3"}, CapAdd: []string{"SYS_ADMIN"}}, "clone3=EINVAL\n"},
		{"privileged unconfined", Spec{Cmd: []string{"/sysprobe", "add_key", "clone3"}, Privileged: true}, "add_key=ok\nclone3=EINVAL\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.LayerDirs = layers
			if out, es := run(t, e, tt.spec); out != tt.want || es.ExitCode != 0 {
				t.Errorf("run %v = %q, exit %d; want %q, exit 0", tt.spec.Cmd, out, es.ExitCode, tt.want)
			}
		})
	}
	bad := Spec{ID: "sb" + randSuffix(), LayerDirs: layers, Cmd: []string{"true"},
		Seccomp: `{"defaultAction":"SCMP_ACT_NOTIFY"}`}
	if err := e.Create(bad); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "SCMP_ACT_NOTIFY") {
		t.Errorf("Create(notify profile) = %v, want ErrInvalid naming SCMP_ACT_NOTIFY", err)
	}
}
