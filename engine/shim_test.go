package engine

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine/shimproto"
	"github.com/berth-dev/berth/internal/testenv"
)

func TestSealedShim(t *testing.T) {
	f, err := sealedShim()
	if shimBinary == "" {
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("sealedShim() without a shim = %v, want ErrUnsupported", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("sealedShim() = %v", err)
	}
	seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	want := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if err != nil || seals&want != want {
		t.Errorf("F_GET_SEALS = %#x, %v; want %#x set", seals, err, want)
	}
	if flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("F_GETFD = %#x, %v; want FD_CLOEXEC", flags, err)
	}
	if _, err := f.WriteAt([]byte{0}, 0); err == nil {
		t.Errorf("WriteAt on the sealed shim succeeded")
	}
	if err := f.Truncate(0); err == nil {
		t.Errorf("Truncate on the sealed shim succeeded")
	}
	if again, err := sealedShim(); err != nil || again != f {
		t.Errorf("second sealedShim() = %p, %v; want the same file %p", again, err, f)
	}
	if st, err := f.Stat(); err != nil || st.Size() != int64(len(shimBinary)) {
		t.Errorf("sealed shim size = %v, %v; want %d", st, err, len(shimBinary))
	}
}

// TestEmbeddedShim checks that the shim (the monitor) and berth's init (the shim as
// PID 1) run from the sealed memfd, that no shim or container process holds an fd of
// it, and that a container cannot write it through /proc/1/exe (CVE-2019-5736).
func TestEmbeddedShim(t *testing.T) {
	testenv.RequiresRoot(t)
	const memfdExe = "/memfd:berth-shim (deleted)"
	e := newEngine(t)
	// Privileged, so that the container may read /proc/1/exe at all (CAP_SYS_PTRACE):
	// the worst case. Init: true keeps berth's init, the shim, as PID 1.
	spec := Spec{ID: "st" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Init: true, Privileged: true,
		Cmd: []string{"sleep", "60"}}
	startContainer(t, e, spec)
	st, err := e.State(spec.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, pid := range map[string]int{"monitor": st.MonitorPid, "init": st.Pid} {
		exe, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe"))
		if err != nil || exe != memfdExe {
			t.Errorf("%s /proc/%d/exe = %q, %v; want %q", name, pid, exe, err, memfdExe)
		}
		if fds := memfdFDs(t, pid); len(fds) > 0 {
			t.Errorf("%s (pid %d) holds memfd fds %v", name, pid, fds)
		}
		if f, err := os.OpenFile(filepath.Join("/proc", strconv.Itoa(pid), "exe"), os.O_WRONLY, 0); err == nil {
			_, werr := f.Write([]byte{0})
			f.Close()
			if werr == nil {
				t.Errorf("wrote into %s's /proc/%d/exe from the host", name, pid)
			}
		}
	}
	script := "readlink /proc/1/exe; (printf x >> /proc/1/exe) 2>/dev/null || echo denied; " +
		"(printf x > /proc/1/exe) 2>/dev/null || echo denied; ls -l /proc/1/fd/ /proc/self/fd/ 2>/dev/null | grep -c memfd || true"
	var out strings.Builder
	code, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"sh", "-c", script}, Stdout: &out, Stderr: &out})
	want := memfdExe + "\ndenied\ndenied\n0\n"
	if err != nil || code != 0 || out.String() != want {
		t.Errorf("Exec(%q) = %d, %v, output %q; want 0, %q", script, code, err, out.String(), want)
	}
}

// memfdFDs lists pid's open fds that point at a memfd.
func memfdFDs(t *testing.T, pid int) []string {
	t.Helper()
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("list fds of pid %d: %v", pid, err)
	}
	var out []string
	for _, ent := range ents {
		if l, err := os.Readlink(filepath.Join(dir, ent.Name())); err == nil && strings.HasPrefix(l, "/memfd:") {
			out = append(out, ent.Name()+" -> "+l)
		}
	}
	return out
}

// TestExitHook: after the container's exit is recorded the shim runs the exit hook
// with only its environment, in the starter's network namespace (not the container's),
// with no fd but stdio; berth's init (the shim as PID 1) holds no fd of that namespace.
func TestExitHook(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	out := filepath.Join(t.TempDir(), "hook")
	script := `echo "$X $(readlink /proc/self/ns/net) $(ls /proc/self/fd | tr '\n' ' ')$(grep -c '"Status":"exited"' "$STATE")" > ` + out
	spec := Spec{ID: "eh" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Init: true,
		Cmd:         []string{"sleep", "0.5"},
		ExitHook:    []string{"/bin/sh", "-c", script},
		ExitHookEnv: []string{"X=hello", "PATH=/usr/bin:/bin"}}
	spec.ExitHookEnv = append(spec.ExitHookEnv, "STATE="+filepath.Join(e.Root, "containers", spec.ID, "state.json"))
	startContainer(t, e, spec)
	st, err := e.State(spec.ID)
	if err != nil {
		t.Fatal(err)
	}
	hostNet, _ := os.Readlink("/proc/self/ns/net")
	dir := filepath.Join("/proc", strconv.Itoa(st.Pid), "fd")
	ents, _ := os.ReadDir(dir)
	for _, ent := range ents {
		if l, _ := os.Readlink(filepath.Join(dir, ent.Name())); l == hostNet {
			t.Errorf("the container's init (pid %d) holds fd %s of the host's network namespace", st.Pid, ent.Name())
		}
	}
	if _, err := e.Wait(spec.ID); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	var got []byte
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got, _ = os.ReadFile(out); len(got) > 0 {
			break
		}
	}
	// The exit is recorded (state.json says exited) before the hook runs.
	if want := "hello " + hostNet + " 0 1 2 3 1\n"; string(got) != want {
		t.Errorf("exit hook wrote %q, want %q", got, want)
	}
}

// TestExitHookUnlessListening: while something listens on ExitHookUnlessListening the
// shim does not run the exit hook.
func TestExitHookUnlessListening(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	dir := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(dir, "sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	out := filepath.Join(dir, "hook")
	spec := Spec{ID: "eh" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"true"},
		ExitHook: []string{"/bin/sh", "-c", "echo ran > " + out}, ExitHookUnlessListening: filepath.Join(dir, "sock")}
	startContainer(t, e, spec)
	if _, err := e.Wait(spec.ID); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := os.Stat(out); err == nil {
		t.Errorf("the exit hook ran while something listened on its socket")
	}
	// Nothing listens any more: the next exit runs it.
	ln.Close()
	if err := e.Start(spec.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	e.Wait(spec.ID)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(out); err == nil {
			return
		}
	}
	t.Errorf("the exit hook did not run with nothing listening on its socket")
}

// TestShimProtocolMismatch: a shim that speaks another protocol version than berth
// (here berth pretends to speak 999) refuses the configuration before it makes
// anything: Start and Exec fail with ErrShimProtocol, the container stays created (or
// running, untouched), and no process or cgroup is left (newEngine checks).
func TestShimProtocolMismatch(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	running := Spec{ID: "pm" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"sleep", "60"}}
	startContainer(t, e, running)
	created := Spec{ID: "pm" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"true"}}
	if err := e.Create(created); err != nil {
		t.Fatalf("Create: %v", err)
	}
	setShimProtocol(t, 999)
	err := e.Start(created.ID)
	var se *ShimError
	if !errors.Is(err, ErrShimProtocol) || !errors.As(err, &se) || !strings.Contains(err.Error(), "berth speaks version 999") {
		t.Errorf("Start with protocol 999 = %v, want ErrShimProtocol saying berth speaks version 999", err)
	}
	if st, err := e.State(created.ID); err != nil || st.Status != StatusCreated {
		t.Errorf("State after the refused Start = %+v, %v; want created", st, err)
	}
	code, err := e.Exec(running.ID, ExecSpec{Cmd: []string{"true"}})
	if !errors.Is(err, ErrShimProtocol) || code != 0 {
		t.Errorf("Exec with protocol 999 = %d, %v; want ErrShimProtocol", code, err)
	}
	setShimProtocol(t, 0)
	if code, err := e.Exec(running.ID, ExecSpec{Cmd: []string{"true"}}); err != nil || code != 0 {
		t.Errorf("Exec with the shim's protocol = %d, %v; want 0, nil", code, err)
	}
}

// setShimProtocol makes the engine send version v (0: its own) until the test ends.
// Start does not take a spare shim that was sent another version.
func setShimProtocol(t *testing.T, v int64) {
	t.Helper()
	shimProtocolOverride.Store(v)
	t.Cleanup(func() { shimProtocolOverride.Store(0) })
}

// TestShimFailureClasses: failures of the real shim come back typed, with the step.
func TestShimFailureClasses(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	// The shim's PID 1 applies the ulimits: a soft limit above the hard one fails there.
	bad := Spec{ID: "fc" + randSuffix(), LayerDirs: []string{bb}, Cmd: []string{"true"},
		Ulimits: []Ulimit{{Name: "nofile", Soft: 100, Hard: 10}}}
	if err := e.Create(bad); err != nil {
		t.Fatalf("Create: %v", err)
	}
	err := e.Start(bad.ID)
	var se *ShimError
	if !errors.Is(err, ErrShimIdentity) || !errors.As(err, &se) || !strings.HasPrefix(se.Step, "ulimit ") {
		t.Errorf("Start with nofile 100:10 = %#v, want ErrShimIdentity at step ulimit", err)
	}
	running := Spec{ID: "fc" + randSuffix(), LayerDirs: []string{bb}, Cmd: []string{"sleep", "60"}}
	startContainer(t, e, running)
	_, err = e.Exec(running.ID, ExecSpec{Cmd: []string{"nope"}})
	want := `exec in container "` + running.ID + `": exec: "nope": executable file not found in $PATH`
	if !errors.Is(err, ErrShimExec) || !errors.As(err, &se) || se.Step != "exec" || err.Error() != want {
		t.Errorf("Exec(nope) = %v, want ErrShimExec at step exec, %q", err, want)
	}
}

func TestCheckShimProtocol(t *testing.T) {
	mark := shimproto.Mark + strconv.Itoa(shimproto.Version) + "\x00"
	tests := []struct {
		binary string
		want   string // "" = accepted
	}{
		{"\x7fELF..." + mark + "...", ""},
		{"\x7fELF..." + shimproto.Mark + "999\x00...", `it speaks protocol version "999", berth version`},
		{"\x7fELF...", "it speaks no protocol version, berth version"},
		// A version that only starts like ours.
		{"\x7fELF..." + shimproto.Mark + strconv.Itoa(shimproto.Version) + "0\x00", "it speaks protocol version"},
	}
	for _, tt := range tests {
		err := checkShimProtocol(tt.binary)
		if tt.want == "" {
			if err != nil {
				t.Errorf("checkShimProtocol(%q) = %v, want nil", tt.binary, err)
			}
			continue
		}
		if !errors.Is(err, ErrShimProtocol) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("checkShimProtocol(%q) = %v, want ErrShimProtocol containing %q", tt.binary, err, tt.want)
		}
	}
	if shimBinary != "" {
		if err := checkShimProtocol(shimBinary); err != nil {
			t.Errorf("the embedded shim: %v (make shim after go generate ./engine/shimproto)", err)
		}
	}
}
