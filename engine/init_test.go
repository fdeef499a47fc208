package engine

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestInitHoldsContainerPrivileges checks that berth's init (Spec.Init), PID 1, holds
// no more than the command it runs: the same user, capability sets and no_new_privs,
// as Docker's init (tini), exec'd with the container's privileges, does.
func TestInitHoldsContainerPrivileges(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	const show = `grep -E '^(Uid|Gid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' /proc/%s/status`
	cmd := "pid1=$(" + strings.ReplaceAll(show, "%s", "1") + "); self=$(" + strings.ReplaceAll(show, "%s", "self") + `); ` +
		`echo "$self" | grep -E '^(Uid|CapEff)'; [ "$pid1" = "$self" ] && echo same || printf 'init:\n%s\ncommand:\n%s\n' "$pid1" "$self"`
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"root", Spec{}, "Uid:\t0\t0\t0\t0\nCapEff:\t00000000a80425fb\nsame\n"},
		{"user", Spec{User: "app"}, "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\nsame\n"},
		{"user without setuid", Spec{User: "app", CapDrop: []string{"SETUID", "SETGID"}}, "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\nsame\n"},
		{"cap_add cap_drop nnp", Spec{CapAdd: []string{"NET_ADMIN"}, CapDrop: []string{"CHOWN"}, NoNewPrivileges: true},
			"Uid:\t0\t0\t0\t0\nCapEff:\t00000000a80435fa\nsame\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.LayerDirs, tt.spec.Init, tt.spec.Cmd = []string{bb}, true, []string{"sh", "-c", cmd}
			out, es := run(t, e, tt.spec)
			if out != tt.want || es.ExitCode != 0 {
				t.Errorf("init and command status = %q, exit %d; want %q", out, es.ExitCode, tt.want)
			}
		})
	}
}

// TestInitHoldsNoFile checks that berth's init keeps no fd but stdio: a container
// process with its capabilities may open /proc/1/fd/N, and the container dir (on the
// host) or a namespace of the shim's must not be there.
func TestInitHoldsNoFile(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{LayerDirs: []string{busyboxLayer(t)}, Init: true, Cmd: []string{"sh", "-c", "ls -l /proc/1/fd; true"}}
	out, es := run(t, e, spec)
	if want := "0 /dev/null\n1 pipe\n2 pipe\n"; fdKinds(out) != want || es.ExitCode != 0 {
		t.Errorf("init's fds = %q, exit %d; want %q", out, es.ExitCode, want)
	}
}
