package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestE2EExecStdio checks that `exec` and `run` give the container's process pipes,
// never berth's own stdin, stdout or stderr: a read-only host file given as stdin stays
// unchanged when the process writes through /proc/self/fd/0, the process holds pipes
// on 0-2 and nothing else, a process left behind reads EOF rather than what berth's
// caller writes later, and berth's environment stays out.
func TestE2EExecStdio(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-f", file, "up", "-d")
	dir := t.TempDir()
	host := filepath.Join(dir, "host")
	if err := os.WriteFile(host, []byte("host data\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	// exec runs berth with the host file as stdin and a file of the caller's as stdout
	// and stderr, and returns what berth wrote.
	exec := func(t *testing.T, args ...string) (string, int) {
		in, err := os.Open(host)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		out, err := os.CreateTemp(dir, "out")
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		cmd := e.command(append([]string{"-f", file, "exec", "-T", "app"}, args...)...)
		cmd.Env = append(cmd.Env, "BERTH_CALLER_SECRET=leaked")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = in, out, out
		code := exitCode(cmd.Run())
		b, _ := os.ReadFile(out.Name())
		return string(b), code
	}
	t.Run("write through /proc/self/fd/0", func(t *testing.T) {
		out, code := exec(t, "sh", "-c", "echo pwned > /proc/self/fd/0")
		if b, _ := os.ReadFile(host); string(b) != "host data\n" {
			t.Errorf("exec writing to its stdin = code %d, output %q; host file now %q, want unchanged", code, out, b)
		}
	})
	t.Run("stdin, EOF and exit code", func(t *testing.T) {
		if out, code := exec(t, "sh", "-c", "cat; echo eof; exit 4"); out != "host data\neof\n" || code != 4 {
			t.Errorf("exec cat = code %d, output %q; want 4, %q", code, out, "host data\neof\n")
		}
	})
	t.Run("only pipes on 0-2", func(t *testing.T) {
		if out, code := exec(t, "sh", "-c", "ls -l /proc/$$/fd; true"); fdList(out) != "0 pipe\n1 pipe\n2 pipe\n" || code != 0 {
			t.Errorf("exec ls -l /proc/$$/fd = code %d, output %q; want pipes 0-2 only", code, out)
		}
	})
	t.Run("berth's env stays out", func(t *testing.T) {
		if out, _ := exec(t, "busybox", "env"); strings.Contains(out, "BERTH_CALLER_SECRET") || !strings.Contains(out, "PATH=") {
			t.Errorf("exec env = %q, want the container's env only", out)
		}
	})
	t.Run("leftover process reads no more stdin", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		defer w.Close()
		cmd := e.command("-f", file, "exec", "-T", "app", "sh", "-c",
			`exec 3<&0; (cat <&3 > /tmp/leftover; echo eof >> /tmp/leftover) >/dev/null 2>&1 &`)
		cmd.Stdin = r
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("exec with a background reader: %v, %s", err, out)
		}
		w.WriteString("typed after the exec ended\n")
		var got string
		eventually(3*time.Second, func() bool {
			got, _, _ = e.berth("-f", file, "exec", "-T", "app", "cat", "/tmp/leftover")
			return strings.Contains(got, "eof") || strings.Contains(got, "typed")
		})
		if got != "eof\n" {
			t.Errorf("the leftover process read %q; want EOF at the exec's end and nothing of berth's stdin", got)
		}
	})
	t.Run("exec -d", func(t *testing.T) {
		e.mustBerth("-f", file, "exec", "-d", "app", "sh", "-c", "echo $$ > /tmp/detached.pid; exec sleep 10")
		var got string
		eventually(3*time.Second, func() bool {
			got, _, _ = e.berth("-f", file, "exec", "-T", "app", "sh", "-c", "ls -l /proc/$(cat /tmp/detached.pid)/fd")
			return strings.Contains(fdList(got), "\n2 ")
		})
		if fdList(got) != "0 /dev/null\n1 /dev/null\n2 /dev/null\n" {
			t.Errorf("exec -d process's fds = %q, want /dev/null on 0-2 only", got)
		}
	})
	t.Run("run", func(t *testing.T) {
		in, err := os.Open(host)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		cmd := e.command("-f", file, "run", "--rm", "-T", "app", "sh", "-c", "cat; ls -l /proc/$$/fd; true")
		cmd.Stdin = in
		out, err := cmd.Output()
		if s := string(out); err != nil || !strings.HasPrefix(s, "host data\n") || fdList(s) != "0 pipe\n1 pipe\n2 pipe\n" {
			t.Errorf("run cat; ls -l /proc/$$/fd = %v, output %q; want the input and pipes 0-2 only", err, out)
		}
	})
	e.mustBerth("-f", file, "down", "-t", "1")
}

// fdList reads `ls -l /proc/<pid>/fd` as "fd kind" lines: kind is the link's target
// up to a colon or digit ("pipe", "/dev/null", a path).
func fdList(ls string) string {
	var b strings.Builder
	for _, l := range strings.Split(ls, "\n") {
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

// TestE2EInitPrivileges checks that with `init: true` berth's init, PID 1, holds the
// user and capabilities of the command it runs, as Docker's init does.
func TestE2EInitPrivileges(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  root:
    image: bte-busybox
    init: true
    command: ["sh", "-c", "grep -E '^(Uid|Cap)' /proc/self/status > /tmp/child; exec sleep 3600"]
    stop_signal: SIGKILL
  user:
    image: bte-busybox
    init: true
    user: "1234:1234"
    command: ["sh", "-c", "grep -E '^(Uid|Cap)' /proc/self/status > /tmp/child; exec sleep 3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-f", file, "up", "-d")
	for svc, uid := range map[string]string{"root": "0", "user": "1234"} {
		var out string
		eventually(3*time.Second, func() bool {
			out, _, _ = e.berth("-f", file, "exec", "-T", "-u", "0", svc, "sh", "-c",
				"grep -E '^(Uid|Cap)' /proc/1/status > /tmp/init && cat /tmp/child && cmp /tmp/init /tmp/child && echo same")
			return strings.HasSuffix(out, "same\n")
		})
		if !strings.HasPrefix(out, "Uid:\t"+uid+"\t") || !strings.HasSuffix(out, "same\n") {
			t.Errorf("service %s: init's status differs from its command's %q; want uid %s and the same capabilities", svc, out, uid)
		}
	}
	e.mustBerth("-f", file, "down", "-t", "1")
}
