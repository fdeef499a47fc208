package engine

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
	"golang.org/x/sys/unix"
)

// TestExecStdioIsolated checks that an exec'd process gets pipes, never the caller's
// own files: it cannot write to a read-only file given as stdin by reopening
// /proc/self/fd/0, holds no fd but 0-2, and a process it leaves behind reads nothing
// of the caller's stdin after the exec has ended.
func TestExecStdioIsolated(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{ID: "exio" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"sleep", "60"}}
	startContainer(t, e, spec)
	host := filepath.Join(t.TempDir(), "host")
	if err := os.WriteFile(host, []byte("host data\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	openHost := func(t *testing.T) *os.File {
		f, err := os.Open(host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	// A file the caller holds without O_CLOEXEC must not reach the process either.
	leak, err := unix.Open(host, unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(leak)
	t.Setenv("BERTH_CALLER_SECRET", "leaked")

	t.Run("write through /proc/self/fd/0", func(t *testing.T) {
		var out bytes.Buffer
		code, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"sh", "-c", "echo pwned > /proc/self/fd/0; echo pwned >> /proc/self/fd/0; true"},
			Stdin: openHost(t), Stdout: &out, Stderr: &out})
		if b, _ := os.ReadFile(host); string(b) != "host data\n" || err != nil || code != 0 {
			t.Errorf("Exec(write to stdin) = %d, %v, output %q; host file now %q, want unchanged", code, err, out.String(), b)
		}
	})
	t.Run("stdin content and EOF", func(t *testing.T) {
		var out bytes.Buffer
		code, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"sh", "-c", "cat; echo eof; exit 3"}, Stdin: openHost(t), Stdout: &out, Stderr: &out})
		if err != nil || code != 3 || out.String() != "host data\neof\n" {
			t.Errorf("Exec(cat) = %d, %v, output %q; want 3, %q", code, err, out.String(), "host data\neof\n")
		}
	})
	t.Run("only pipes on 0-2", func(t *testing.T) {
		out, errs := os.CreateTemp(t.TempDir(), "out")
		if errs != nil {
			t.Fatal(errs)
		}
		defer out.Close()
		code, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"sh", "-c", "ls -l /proc/$$/fd; true"},
			Stdin: openHost(t), Stdout: out, Stderr: out})
		b, _ := os.ReadFile(out.Name())
		if want := "0 pipe\n1 pipe\n2 pipe\n"; err != nil || code != 0 || fdKinds(string(b)) != want {
			t.Errorf("Exec(list fds) = %d, %v, output %q; want %q", code, err, b, want)
		}
	})
	t.Run("the shim holds no caller file", func(t *testing.T) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			e.Exec(spec.ID, ExecSpec{Cmd: []string{"sleep", "1"}})
		}()
		defer func() { <-done }()
		var fds []string
		for i := 0; i < 100 && fds == nil; i++ {
			time.Sleep(10 * time.Millisecond)
			fds = execShimFiles(t)
		}
		if fds == nil {
			t.Fatal("found no running berth-shim exec")
		}
		for _, f := range fds {
			if f == host {
				t.Errorf("berth-shim exec holds the caller's file %s (open fds: %q)", host, fds)
			}
		}
	})
	t.Run("caller env stays out", func(t *testing.T) {
		var out bytes.Buffer
		if _, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"env"}, Stdout: &out}); err != nil || strings.Contains(out.String(), "BERTH_CALLER_SECRET") {
			t.Errorf("Exec(env) = %v, output %q; want no variable of the caller", err, out.String())
		}
	})
	t.Run("leftover process reads no more stdin", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		defer w.Close()
		// The background reader keeps the exec's stdin (fd 3) and reports what it got.
		cmd := `exec 3<&0; (cat <&3 > /tmp/leftover; echo eof >> /tmp/leftover) >/dev/null 2>&1 & echo started`
		var out bytes.Buffer
		code, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"sh", "-c", cmd}, Stdin: r, Stdout: &out, Stderr: &out})
		if err != nil || code != 0 || out.String() != "started\n" {
			t.Fatalf("Exec(background reader) = %d, %v, output %q", code, err, out.String())
		}
		w.WriteString("typed after the exec ended\n")
		var got string
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			var b bytes.Buffer
			e.Exec(spec.ID, ExecSpec{Cmd: []string{"cat", "/tmp/leftover"}, Stdout: &b})
			if got = b.String(); strings.Contains(got, "eof") || strings.Contains(got, "typed") {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if got != "eof\n" {
			t.Errorf("the leftover process read %q; want EOF at the exec's end and nothing of the caller's input", got)
		}
	})
	t.Run("detached gets no caller file", func(t *testing.T) {
		code, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"sh", "-c", "echo $$ > /tmp/detached.pid; exec sleep 10"},
			Stdin: openHost(t), Detach: true})
		if err != nil || code != 0 {
			t.Fatalf("Exec(detach) = %d, %v", code, err)
		}
		var b bytes.Buffer
		for i := 0; i < 100 && !strings.Contains(fdKinds(b.String()), "\n2 "); i++ {
			time.Sleep(20 * time.Millisecond)
			b.Reset()
			e.Exec(spec.ID, ExecSpec{Cmd: []string{"sh", "-c", "ls -l /proc/$(cat /tmp/detached.pid)/fd"}, Stdout: &b})
		}
		if want := "0 /dev/null\n1 /dev/null\n2 /dev/null\n"; fdKinds(b.String()) != want {
			t.Errorf("detached exec's fds = %q, want %q", b.String(), want)
		}
	})
}

// execShimFiles returns the targets of the open fds of this process's child
// `berth-shim exec`, or nil if there is none.
func execShimFiles(t *testing.T) []string {
	ents, _ := os.ReadDir("/proc")
	for _, ent := range ents {
		dir := filepath.Join("/proc", ent.Name())
		cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		status, _ := os.ReadFile(filepath.Join(dir, "status"))
		if string(cmdline) != "berth-shim\x00exec\x00" || !strings.Contains(string(status), fmt.Sprintf("\nPPid:\t%d\n", os.Getpid())) {
			continue
		}
		fds, _ := os.ReadDir(filepath.Join(dir, "fd"))
		targets := []string{}
		for _, fd := range fds {
			l, _ := os.Readlink(filepath.Join(dir, "fd", fd.Name()))
			targets = append(targets, l)
		}
		return targets
	}
	return nil
}

// fdKinds reads the output of `ls -l /proc/<pid>/fd` as "fd kind" lines: kind is the
// link's target up to a colon or digit ("pipe", "/dev/pts/", "/dev/null", a path).
func fdKinds(ls string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.ReplaceAll(ls, "\r", ""), "\n") {
		before, target, ok := strings.Cut(l, " -> ")
		if !ok {
			continue
		}
		f := strings.Fields(before)
		kind, _, _ := strings.Cut(target, ":")
		fmt.Fprintf(&b, "%s %s\n", f[len(f)-1], strings.TrimRight(kind, "0123456789"))
	}
	return b.String()
}

// TestExecTTYNoCallerFile checks that an exec with a terminal holds the pty's slave on
// 0-2 and nothing else.
func TestExecTTYNoCallerFile(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{ID: "exty" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"sleep", "60"}}
	startContainer(t, e, spec)
	m, s, err := OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		out.ReadFrom(m) // EIO once the slave is closed everywhere
		close(done)
	}()
	code, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"sh", "-c", "ls -l /proc/$$/fd; true"},
		Stdin: s, Stdout: s, Stderr: s, Tty: true})
	s.Close()
	<-done
	if want := "0 /dev/pts/\n1 /dev/pts/\n2 /dev/pts/\n"; err != nil || code != 0 || fdKinds(out.String()) != want {
		t.Errorf("Exec(tty, list fds) = %d, %v, output %q; want %q", code, err, out.String(), want)
	}
}
