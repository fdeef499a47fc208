package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestE2ECallerFdsStayWithCaller: a pipe the caller leaves open (not close-on-exec) is
// not inherited by the supervisor `up` starts, which would keep the caller's pipe open
// after berth exited, nor by the containers.
func TestE2ECallerFdsStayWithCaller(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  a:
    image: bte-busybox
    command: ["sleep", "3600"]
    init: true
`)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	cmd := e.command("-f", file, "up", "-d")
	// fd 7 of berth, inherited as a shell's `exec 7>` would be (above the fds berth passes on)
	cmd.ExtraFiles = []*os.File{nil, nil, nil, nil, w}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("up: %v\n%s", err, out)
	}
	pipe := pipeName(t, w)
	pids := e.supervisorPids()
	if len(pids) == 0 {
		t.Fatal("no supervisor runs after up")
	}
	for _, pid := range pids {
		if fds := fdsTo(pid, pipe); len(fds) > 0 {
			t.Errorf("the supervisor (pid %d) holds the caller's pipe as fd %v", pid, fds)
		}
	}
	out := e.mustBerth("-f", file, "exec", "-T", "a", "sh", "-c", "ls -l /proc/1/fd /proc/self/fd")
	if strings.Contains(out, pipe) {
		t.Errorf("a container holds the caller's pipe:\n%s", out)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
}

// pipeName is the link target ("pipe:[inode]") of f in /proc.
func pipeName(t *testing.T, f *os.File) string {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	return "pipe:[" + strconv.FormatUint(st.Ino, 10) + "]"
}

// fdsTo lists the fds of process pid whose link target is target.
func fdsTo(pid int, target string) []string {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd/"
	ents, _ := os.ReadDir(dir)
	var fds []string
	for _, ent := range ents {
		if l, _ := os.Readlink(dir + ent.Name()); l == target {
			fds = append(fds, ent.Name())
		}
	}
	return fds
}
