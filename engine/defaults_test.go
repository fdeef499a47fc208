package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestDockerRuntimeDefaults: what Docker gives every container and berth must too:
// unprivileged low ports and ping in a network namespace of its own (a spec's sysctl
// wins), and the container's own cgroup read-only at /sys/fs/cgroup with its limits.
func TestDockerRuntimeDefaults(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	memFile := "/sys/fs/cgroup/memory/memory.limit_in_bytes"
	if unified() {
		memFile = "/sys/fs/cgroup/memory.max"
	}
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"port start", Spec{Cmd: []string{"cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start", "/proc/sys/net/ipv4/ping_group_range"}},
			"0\n0\t2147483647\n"},
		{"spec sysctl wins", Spec{Sysctls: map[string]string{"net.ipv4.ip_unprivileged_port_start": "1024"},
			Cmd: []string{"cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start"}}, "1024\n"},
		{"cgroup limit", Spec{Resources: Resources{Memory: 64 << 20}, Cmd: []string{"cat", memFile}}, "67108864\n"},
		{"cgroup read-only", Spec{Cmd: []string{"sh", "-c", "for d in /sys/fs/cgroup /sys/fs/cgroup/*/; do mkdir $d/x 2>/dev/null && echo rw $d; done; echo ro"}}, "ro\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.LayerDirs = []string{bb}
			out, es := run(t, e, tt.spec)
			if out != tt.want || es.ExitCode != 0 {
				t.Errorf("%q = %q, exit %d; want %q, 0", strings.Join(tt.spec.Cmd, " "), out, es.ExitCode, tt.want)
			}
		})
	}
}

// TestTTYName: with a terminal, `tty` names the device (Docker: /dev/pts/0), it does
// not say "not a tty" because the pty lives in a devpts the container cannot see.
func TestTTYName(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	out, es := run(t, e, Spec{LayerDirs: []string{busyboxLayer(t)}, Tty: true, Cmd: []string{"sh", "-c", "tty"}})
	if !strings.HasPrefix(out, "/dev/") || es.ExitCode != 0 {
		t.Errorf("tty = %q, exit %d; want a /dev path, exit 0", out, es.ExitCode)
	}
}

// TestExecTTYName: an exec with a terminal from OpenPTYIn sees it as /dev/pts/N of the
// container (with the host's pty, `tty` said "not a tty").
func TestExecTTYName(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{ID: "tty" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"sleep", "60"}}
	startContainer(t, e, spec)
	m, s, err := e.OpenPTYIn(spec.ID)
	if err != nil {
		t.Fatalf("OpenPTYIn = %v", err)
	}
	defer m.Close()
	code, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"tty"}, Tty: true, Stdin: s, Stdout: s, Stderr: s})
	s.Close()
	out := make([]byte, 256)
	n, _ := m.Read(out)
	if err != nil || code != 0 || !strings.HasPrefix(string(out[:n]), "/dev/pts/") {
		t.Errorf("exec -t tty = %d, %v, %q; want 0 and /dev/pts/N", code, err, out[:n])
	}
}

// TestDomainnameFQDN: hostname and domainname set the uts names, and with the FQDN
// first on the container's line of /etc/hosts, `hostname -f` prints it (Docker).
func TestDomainnameFQDN(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	out, es := run(t, e, Spec{LayerDirs: []string{busyboxLayer(t)}, Hostname: "web", Domainname: "example.com",
		Hosts: "127.0.0.1\tlocalhost\n10.0.0.2\tweb.example.com web\n",
		Cmd:   []string{"sh", "-c", "hostname -f; cat /proc/sys/kernel/domainname"}})
	if out != "web.example.com\nexample.com\n" || es.ExitCode != 0 {
		t.Errorf("hostname -f; domainname = %q, exit %d; want web.example.com, example.com", out, es.ExitCode)
	}
}

// TestCgroupNamespaceV2: on cgroup v2 the container has a cgroup namespace rooted at
// its cgroup (Docker's default), which is what /sys/fs/cgroup shows, read-only; an
// exec joins the namespace.
func TestCgroupNamespaceV2(t *testing.T) {
	testenv.RequiresRoot(t)
	useCgroupV2(t)
	e := newEngine(t)
	spec := Spec{ID: "cg" + randSuffix(), LayerDirs: []string{busyboxLayer(t)},
		Cmd: []string{"sh", "-c", "grep '^0::' /proc/self/cgroup; test -e /sys/fs/cgroup/cgroup.procs && echo procs; mkdir /sys/fs/cgroup/x 2>/dev/null || echo ro; sleep 60"}}
	startContainer(t, e, spec)
	var out string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var b strings.Builder
		e.Logs(spec.ID, LogOptions{}, func(le LogEntry) error { b.WriteString(le.Log); return nil })
		if out = b.String(); strings.Count(out, "\n") >= 3 {
			break
		}
	}
	if out != "0::/\nprocs\nro\n" {
		t.Errorf("container sees %q, want 0::/, procs, ro", out)
	}
	var b strings.Builder
	code, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"grep", "^0::", "/proc/self/cgroup"}, Stdout: &b, Stderr: &b})
	if err != nil || code != 0 || b.String() != "0::/\n" {
		t.Errorf("exec grep 0:: = %d, %v, %q; want 0::/", code, err, b.String())
	}
}

// TestTTYConsoleSize: with Spec.ConsoleSize the pty has that size before the command
// runs, so a command that asks at once sees it (without it, `stty size` raced the
// client's resize after the attach and often saw 0x0: "stty: standard input").
func TestTTYConsoleSize(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	for _, tt := range []struct {
		name string
		size [2]uint16
		want string
	}{
		{"set", [2]uint16{40, 100}, "40 100"},
		{"unset", [2]uint16{}, "stty: standard input"}, // busybox's word for 0x0
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, es := run(t, e, Spec{LayerDirs: []string{busyboxLayer(t)}, Tty: true, ConsoleSize: tt.size,
				Cmd: []string{"sh", "-c", "stty size 2>&1"}})
			if strings.TrimSpace(out) != tt.want || es.ExitCode != 0 {
				t.Errorf("stty size = %q, exit %d; want %q, exit 0", out, es.ExitCode, tt.want)
			}
		})
	}
}
