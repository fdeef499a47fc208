package engine

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestBadStateNamed: a state.json that cannot be parsed is an ErrBadState naming it.
func TestBadStateNamed(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"empty", "", "unexpected end of JSON input"},
		{"truncated", `{"ID":"x","Status":"runn`, "unexpected end of JSON input"},
		{"garbage", "\x00\x00\x00", "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Engine{Root: t.TempDir(), CgroupParent: "bt-none-" + randSuffix()}
			id := "c" + randSuffix()
			if err := e.Create(Spec{ID: id, LayerDirs: []string{t.TempDir()}, Cmd: []string{"true"}}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(e.Root, "containers", id, "state.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := e.State(id)
			prefix := "read state " + path + ": " + tt.want
			if !errors.Is(err, ErrBadState) || err == nil || !strings.HasPrefix(err.Error(), prefix) {
				t.Fatalf("State = %v, want ErrBadState %q...", err, prefix)
			}
			if list, err := e.List(); err != nil || len(list) != 1 || list[0].ID != id {
				t.Errorf("List = %v, %v; want the container by its ID", list, err)
			}
			if err := e.Kill(id, syscall.SIGKILL); !errors.Is(err, ErrNotRunning) {
				t.Errorf("Kill of a container with no process = %v, want ErrNotRunning", err)
			}
			if err := e.Remove(id, false); err != nil {
				t.Errorf("Remove of a container with no process = %v", err)
			}
			if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("container dir left: %v", err)
			}
		})
	}
}

// TestBadStateStopRemove: Stop and Remove find the processes of a running container whose
// state.json was truncated through its cgroups.
func TestBadStateStopRemove(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	layer := busyboxLayer(t)
	start := func() (string, string) {
		spec := Spec{ID: "bs" + randSuffix(), LayerDirs: []string{layer}, Cmd: []string{"sleep", "60"}}
		startContainer(t, e, spec)
		path := filepath.Join(e.Root, "containers", spec.ID, "state.json")
		if err := os.Truncate(path, 10); err != nil {
			t.Fatal(err)
		}
		return spec.ID, path
	}

	id, path := start()
	if _, err := e.Stop(id, syscall.SIGTERM, 200*time.Millisecond); err != nil {
		t.Fatalf("Stop with a truncated state = %v", err)
	}
	if pids := e.cgroupPids(id); len(pids) > 0 {
		t.Errorf("processes %v left after Stop", pids)
	}
	// The shim, which saw PID 1 die, records the exit over the broken file.
	if st, err := e.State(id); err != nil || st.Status != StatusExited {
		t.Errorf("State after Stop = %+v, %v; want exited (%s rewritten by the shim)", st, err, path)
	}

	id, _ = start()
	if err := e.Remove(id, false); !errors.Is(err, ErrRunning) || !errors.Is(err, ErrBadState) {
		t.Errorf("Remove(force=false) of a running container with a truncated state = %v, want ErrRunning and ErrBadState", err)
	}
	if err := e.Remove(id, true); err != nil {
		t.Fatalf("Remove(force=true) with a truncated state = %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.Root, "containers", id)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("container dir left after Remove: %v", err)
	}
}

// TestShimFullDiskKeepsState: the container fills the file system of its own dir (a
// 2 MiB tmpfs as the engine root) and exits; the shim cannot record the exit, and
// state.json keeps the running state, from which State still learns the exit.
func TestShimFullDiskKeepsState(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	layer := busyboxLayer(t)
	if err := unix.Mount("tmpfs", e.Root, "tmpfs", 0, "size=2m,mode=0700"); err != nil {
		t.Fatalf("mount tmpfs on %s: %v", e.Root, err)
	}
	t.Cleanup(func() { // after newEngine's cleanup has removed the containers
		if err := unix.Unmount(e.Root, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", e.Root, err)
		}
	})
	// The container fills the disk only once Start has returned, that is once the shim
	// has recorded the running state: earlier, that record fails and so does Start.
	sig := t.TempDir()
	spec := Spec{ID: "fd" + randSuffix(), LayerDirs: []string{layer},
		Mounts: []Mount{{Type: "bind", Source: sig, Target: "/sig"}},
		Cmd:    []string{"sh", "-c", "until [ -e /sig/go ]; do sleep 0.01; done; dd if=/dev/zero of=/fill bs=64k 2>/dev/null; exit 3"}}
	startContainer(t, e, spec)
	if err := os.WriteFile(filepath.Join(sig, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Wait(spec.ID); err != nil {
		t.Fatalf("Wait = %v", err)
	}
	b, err := os.ReadFile(filepath.Join(e.Root, "containers", spec.ID, "state.json"))
	var st State
	if err != nil || json.Unmarshal(b, &st) != nil || st.Status != StatusRunning {
		t.Fatalf("state.json after the shim's failed write = %q, %v; want the running state kept", b, err)
	}
	if st, err := e.State(spec.ID); err != nil || st.Status != StatusExited {
		t.Errorf("State = %+v, %v; want exited", st, err)
	}
	if tmps, _ := filepath.Glob(filepath.Join(e.Root, "containers", spec.ID, "*.tmp")); len(tmps) > 0 {
		t.Errorf("temp files left: %v", tmps)
	}
}
