package engine

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
	"golang.org/x/sys/unix"
)

func TestRunBasic(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	out, es := run(t, e, Spec{LayerDirs: []string{bb}, Cmd: []string{"sh", "-c", "echo hi; echo err >&2; exit 3"}})
	if out != "hi\nerr\n" && out != "err\nhi\n" {
		t.Errorf("log = %q, want hi and err", out)
	}
	if es.ExitCode != 3 {
		t.Errorf("exit = %+v, want 3", es)
	}
}

func TestGoBinaryLayer(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	out, es := run(t, e, Spec{LayerDirs: []string{busyboxLayer(t), goLayer(t)}, Entrypoint: []string{"/hello"}, Cmd: []string{"a", "b"}})
	if out != "hello [a b]\n" || es.ExitCode != 0 {
		t.Errorf("run /hello = %q, %+v; want %q, 0", out, es, "hello [a b]\n")
	}
}

func TestStartErrors(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"missing executable", Spec{Cmd: []string{"pg_ctl"}}, `exec: "pg_ctl": executable file not found in $PATH`},
		{"bad user", Spec{Cmd: []string{"true"}, User: "nobody"}, "unable to find user nobody"},
		{"bad group", Spec{Cmd: []string{"true"}, User: "app:nogroup"}, "unable to find group nogroup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.ID = "c" + randSuffix()
			tt.spec.LayerDirs = []string{bb}
			if err := e.Create(tt.spec); err != nil {
				t.Fatalf("Create: %v", err)
			}
			err := e.Start(tt.spec.ID)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start = %v, want error containing %q", err, tt.want)
			}
			if err := e.Remove(tt.spec.ID, false); err != nil {
				t.Errorf("Remove: %v", err)
			}
		})
	}
}

// TestWithRootfs: a running and a stopped container's root show its writable layer and
// its bind mounts; the stopped one's mounts are gone afterwards.
func TestWithRootfs(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	vol := t.TempDir()
	if err := os.WriteFile(filepath.Join(vol, "v"), []byte("volume"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := Spec{ID: "w" + randSuffix(), LayerDirs: []string{busyboxLayer(t)},
		Cmd:    []string{"sh", "-c", "echo layer > /tmp/l; exec sleep 60"},
		Mounts: []Mount{{Type: "bind", Source: vol, Target: "/vol"}}}
	startContainer(t, e, spec)
	read := func(root int, path string) string {
		fd, err := unix.Openat2(root, path, &unix.OpenHow{Flags: unix.O_RDONLY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT})
		if err != nil {
			return err.Error()
		}
		defer unix.Close(fd)
		b := make([]byte, 64)
		n, _ := unix.Read(fd, b)
		return strings.TrimSpace(string(b[:n]))
	}
	for _, running := range []bool{true, false} {
		if !running {
			if _, err := e.Stop(spec.ID, syscall.SIGKILL, time.Second); err != nil {
				t.Fatal(err)
			}
		}
		var layer, volume string
		err := e.WithRootfs(spec.ID, func(root int) error {
			for i := 0; i < 100 && read(root, "/tmp/l") != "layer"; i++ {
				time.Sleep(10 * time.Millisecond) // the shell may not have written it yet
			}
			layer, volume = read(root, "/tmp/l"), read(root, "/vol/v")
			return nil
		})
		if err != nil || layer != "layer" || volume != "volume" {
			t.Errorf("WithRootfs (running %v): /tmp/l %q, /vol/v %q, %v", running, layer, volume, err)
		}
	}
	if b, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(b), e.Root) {
		t.Errorf("a mount under %s is left in this process's namespace", e.Root)
	}
}

// TestDeadSpareShim: a spare shim that died (killed) is not used; Start makes a new one.
func TestDeadSpareShim(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	for p := takeSpareShim(); p != nil; p = takeSpareShim() {
		p.close() // whatever earlier tests left
	}
	e.Prewarm()
	var p *shimProc
	for i := 0; i < 200 && p == nil; i++ {
		time.Sleep(5 * time.Millisecond)
		p = takeSpareShim()
	}
	if p == nil {
		t.Fatal("Prewarm made no spare shim")
	}
	if err := unix.Kill(p.pid, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200 && unix.Kill(p.pid, 0) == nil; i++ {
		time.Sleep(5 * time.Millisecond) // until reaped
	}
	spareShim <- p
	out, es := run(t, e, Spec{LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"echo", "ok"}})
	if out != "ok\n" || es.ExitCode != 0 {
		t.Errorf("run after the spare died = %q, exit %d; want ok, 0", out, es.ExitCode)
	}
}
