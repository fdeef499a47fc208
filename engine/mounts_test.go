package engine

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
	"golang.org/x/sys/unix"
)

// TestReadOnlyBindKeepsFlags: a read-only bind of a dir on a nosuid,nodev,noexec mount
// keeps those flags in the container (a bind remount would lift them unless given).
func TestReadOnlyBindKeepsFlags(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	src := t.TempDir()
	if err := unix.Mount("tmpfs", src, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=1m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(src, unix.MNT_DETACH) })
	spec := Spec{LayerDirs: []string{busyboxLayer(t)}, Mounts: []Mount{{Type: "bind", Source: src, Target: "/data", ReadOnly: true}},
		Cmd: []string{"sh", "-c", "grep ' /data ' /proc/self/mountinfo"}}
	out, es := run(t, e, spec)
	f := strings.Fields(out)
	if es.ExitCode != 0 || len(f) < 6 {
		t.Fatalf("mountinfo of /data = %q, exit %d", out, es.ExitCode)
	}
	opts := "," + f[5] + ","
	for _, o := range []string{"ro", "nosuid", "nodev", "noexec"} {
		if !strings.Contains(opts, ","+o+",") {
			t.Errorf("/data mount options %s lack %s", f[5], o)
		}
	}
}
