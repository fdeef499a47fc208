package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

func TestSecurity(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	tests := []struct {
		name     string
		spec     Spec
		want     string
		wantCode int
	}{
		{"no host processes", Spec{Cmd: []string{"sh", "-c", "echo /proc/[0-9]*"}}, "/proc/1\n", 0},
		{"cannot mount", Spec{Cmd: []string{"sh", "-c", "mount -t tmpfs t /tmp 2>/dev/null || echo denied"}}, "denied\n", 0},
		{"kcore masked", Spec{Cmd: []string{"sh", "-c", "head -c 16 /proc/kcore 2>/dev/null; echo end"}}, "end\n", 0},
		{"default CapEff", Spec{Cmd: []string{"grep", "CapEff", "/proc/self/status"}}, "CapEff:\t00000000a80425fb\n", 0},
		{"cap_add cap_drop", Spec{Cmd: []string{"grep", "CapEff", "/proc/self/status"}, CapAdd: []string{"NET_ADMIN"}, CapDrop: []string{"CAP_CHOWN"}},
			"CapEff:\t00000000a80435fa\n", 0},
		{"privileged CapEff", Spec{Cmd: []string{"grep", "CapEff", "/proc/self/status"}, Privileged: true}, "CapEff:\t" + hostCapBnd(t) + "\n", 0},
		{"non-root no caps", Spec{Cmd: []string{"grep", "CapEff", "/proc/self/status"}, User: "app"}, "CapEff:\t0000000000000000\n", 0},
		{"no_new_privs off", Spec{Cmd: []string{"grep", "NoNewPrivs", "/proc/self/status"}}, "NoNewPrivs:\t0\n", 0},
		{"no_new_privs on", Spec{Cmd: []string{"grep", "NoNewPrivs", "/proc/self/status"}, NoNewPrivileges: true}, "NoNewPrivs:\t1\n", 0},
		{"devices cgroup denies kmsg", Spec{Cmd: []string{"sh", "-c", "mknod /tmp/d c 1 11 && (: < /tmp/d) 2>/dev/null || echo denied"}}, "denied\n", 0},
		{"privileged opens kmsg", Spec{Cmd: []string{"sh", "-c", "mknod /tmp/d c 1 11 && (: < /tmp/d) && echo opened"}, Privileged: true}, "opened\n", 0},
		{"read-only rootfs", Spec{Cmd: []string{"sh", "-c", "touch /x 2>/dev/null || echo ro"}, ReadOnlyRootfs: true}, "ro\n", 0},
		{"sys read-only", Spec{Cmd: []string{"sh", "-c", "touch /sys/x 2>/dev/null || echo ro"}}, "ro\n", 0},
		{"proc/sys read-only", Spec{Cmd: []string{"sh", "-c", "(echo 1 > /proc/sys/kernel/domainname) 2>/dev/null || echo ro"}}, "ro\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.LayerDirs = []string{bb}
			out, es := run(t, e, tt.spec)
			if out != tt.want || es.ExitCode != tt.wantCode {
				t.Errorf("run %v = %q, exit %d; want %q, exit %d", tt.spec.Cmd, out, es.ExitCode, tt.want, tt.wantCode)
			}
		})
	}
}

// hostCapBnd is this process's bounding set: a privileged container gets all of it
// (the full set on a normal host; sandboxes may withhold some).
func hostCapBnd(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "CapBnd:\t"); ok {
			return v
		}
	}
	t.Fatal("no CapBnd in /proc/self/status")
	return ""
}

// TestSymlinkEscape: an image symlink pointing at a host path must not redirect a
// mount target out of the rootfs.
func TestSymlinkEscape(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	host := t.TempDir()
	evil := t.TempDir()
	for name, target := range map[string]string{"abs": host, "rel": "../../../../../../../../" + host} {
		if err := os.Symlink(target, filepath.Join(evil, name)); err != nil {
			t.Fatal(err)
		}
	}
	src := t.TempDir()
	spec := Spec{LayerDirs: []string{busyboxLayer(t), evil}, Cmd: []string{"true"}, Mounts: []Mount{
		{Type: "bind", Source: src, Target: "/abs/sub"},
		{Type: "tmpfs", Target: "/rel/sub2"},
	}}
	if _, es := run(t, e, spec); es.ExitCode != 0 {
		t.Fatalf("run = exit %d, want 0", es.ExitCode)
	}
	ents, err := os.ReadDir(host)
	if err != nil || len(ents) != 0 {
		t.Errorf("host dir %s has %d entries (%v), want none: a mount escaped", host, len(ents), err)
	}
}

// TestSpecialDirSymlinks: an image whose /dev, /proc or /sys is a symlink out of the
// rootfs gets real ones: nothing is mounted or created through the links.
func TestSpecialDirSymlinks(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	host := map[string]string{"dev": t.TempDir(), "proc": t.TempDir(), "sys": t.TempDir()}
	evil := t.TempDir()
	for name, target := range host {
		if name == "sys" {
			target = "../../../../../../../../" + target
		}
		if err := os.Symlink(target, filepath.Join(evil, name)); err != nil {
			t.Fatal(err)
		}
	}
	spec := Spec{LayerDirs: []string{busyboxLayer(t), evil}, Cmd: []string{"sh", "-c",
		"test -c /dev/null && test -r /proc/self/status && test -d /sys/kernel"}}
	if out, es := run(t, e, spec); es.ExitCode != 0 {
		t.Errorf("run = exit %d, output %q; want 0", es.ExitCode, out)
	}
	for name, dir := range host {
		if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
			t.Errorf("host dir behind /%s has %d entries (%v), want none", name, len(ents), err)
		}
	}
}
