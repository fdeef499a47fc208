package engine

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestWithLayerView: the view holds the image's files and the container's changes
// (a deletion included), not what is mounted over them (a bind mount, /proc), running
// or stopped, and leaves no mount or work dir behind.
func TestWithLayerView(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	vol := t.TempDir()
	if err := os.WriteFile(filepath.Join(vol, "v"), []byte("volume"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := Spec{ID: "lv" + randSuffix(), LayerDirs: []string{busyboxLayer(t)},
		Cmd:    []string{"sh", "-c", "rm /etc/group; echo layer > /tmp/l; exec sleep 60"},
		Mounts: []Mount{{Type: "bind", Source: vol, Target: "/home/app"}}}
	startContainer(t, e, spec)
	// The shell's changes are waited for in the upper dir, before any view: a view is an
	// overlay of its own, which may cache a lookup made before the container wrote.
	upper, _ := e.UpperDir(spec.ID)
	for i := 0; i < 500; i++ {
		if _, err := os.Stat(filepath.Join(upper, "tmp/l")); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, running := range []bool{true, false} {
		if !running {
			if _, err := e.Stop(spec.ID, syscall.SIGKILL, time.Second); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		err := e.WithLayerView(spec.ID, func(root string) error {
			for _, p := range []string{"tmp/l", "etc/group", "etc/passwd", "home/app/v", "proc/self"} {
				_, err := os.Lstat(filepath.Join(root, p))
				got = append(got, p+":"+map[bool]string{true: "yes", false: "no"}[err == nil])
			}
			return nil
		})
		want := "tmp/l:yes etc/group:no etc/passwd:yes home/app/v:no proc/self:no"
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("WithLayerView (running %v) = %v, %q; want %q", running, err, strings.Join(got, " "), want)
		}
	}
	dir, _ := e.dir(spec.ID)
	if left, _ := filepath.Glob(filepath.Join(dir, "view-*")); len(left) != 0 {
		t.Errorf("work dirs left: %v", left)
	}
	if b, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(b), e.Root) {
		t.Errorf("a mount under %s is left in this process's namespace", e.Root)
	}
}
