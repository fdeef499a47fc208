package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

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
