package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/testenv"
)

func TestSpecFields(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	vol := t.TempDir()
	if err := os.WriteFile(filepath.Join(vol, "f"), []byte("vol\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sh := func(s string) []string { return []string{"sh", "-c", s} }
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"user name groups", Spec{Cmd: []string{"id"}, User: "app"}, "uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)\n"},
		{"user uid:gid", Spec{Cmd: []string{"id"}, User: "1234:2000"}, "uid=1234 gid=2000(extra) groups=2000(extra)\n"},
		{"image user", Spec{Cmd: []string{"id"}, Image: v1.Config{User: "app"}}, "uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)\n"},
		{"spec user over image", Spec{Cmd: []string{"id", "-u"}, User: "0", Image: v1.Config{User: "app"}}, "0\n"},
		{"working dir created", Spec{Cmd: []string{"pwd"}, WorkingDir: "/srv/app"}, "/srv/app\n"},
		{"image working dir", Spec{Cmd: []string{"pwd"}, Image: v1.Config{WorkingDir: "/tmp"}}, "/tmp\n"},
		{"env image then spec", Spec{Cmd: sh("echo $A $B"), Image: v1.Config{Env: []string{"A=img", "B=img"}}, Env: []string{"B=spec"}}, "img spec\n"},
		{"image entrypoint+cmd", Spec{Image: v1.Config{Entrypoint: []string{"echo", "ep"}, Cmd: []string{"imgcmd"}}}, "ep imgcmd\n"},
		{"spec cmd over image", Spec{Image: v1.Config{Entrypoint: []string{"echo", "ep"}, Cmd: []string{"imgcmd"}}, Cmd: []string{"x"}}, "ep x\n"},
		{"entrypoint drops image cmd", Spec{Image: v1.Config{Cmd: []string{"imgcmd"}}, Entrypoint: []string{"echo", "only"}}, "only\n"},
		{"hostname", Spec{Cmd: sh("hostname; cat /etc/hostname"), Hostname: "web"}, "web\nweb\n"},
		{"domainname", Spec{Cmd: sh("cat /proc/sys/kernel/domainname"), Domainname: "example.org"}, "example.org\n"},
		{"hosts resolv", Spec{Cmd: sh("cat /etc/hosts /etc/resolv.conf"), Hosts: "127.0.0.1 localhost\n", ResolvConf: "nameserver 10.0.0.1\n"}, "127.0.0.1 localhost\nnameserver 10.0.0.1\n"},
		{"bind ro", Spec{Cmd: sh("cat /data/f; touch /data/g 2>/dev/null || echo ro"), Mounts: []Mount{{Type: "bind", Source: vol, Target: "/data", ReadOnly: true}}}, "vol\nro\n"},
		{"tmpfs size", Spec{Cmd: sh("grep ' /scratch ' /proc/mounts"), Mounts: []Mount{{Type: "tmpfs", Target: "/scratch", Size: 1 << 20, Mode: 0o755}}},
			"tmpfs /scratch tmpfs rw,nosuid,nodev,relatime,size=1024k,mode=755 0 0\n"},
		{"tmpfs noexec uid", Spec{Cmd: sh("grep ' /run ' /proc/mounts"), Mounts: []Mount{{Type: "tmpfs", Target: "/run", NoExec: true, TmpfsData: "uid=1000,gid=1000"}}},
			"tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,uid=1000,gid=1000 0 0\n"},
		{"shm size", Spec{Cmd: sh("grep ' /dev/shm ' /proc/mounts"), ShmSize: 2 << 20}, "shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k 0 0\n"},
		{"ulimit", Spec{Cmd: sh("ulimit -n"), Ulimits: []Ulimit{{Name: "nofile", Soft: 1234, Hard: 2000}}}, "1234\n"},
		{"sysctl", Spec{Cmd: sh("cat /proc/sys/net/ipv4/ip_forward"), Sysctls: map[string]string{"net.ipv4.ip_forward": "1"}}, "1\n"},
		{"dev nodes", Spec{Cmd: sh("ls /dev | tr '\\n' ' '")}, "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "},
		{"fds closed", Spec{Cmd: sh("ls /proc/self/fd | tr '\\n' ' '")}, "0 1 2 3 "},
		{"no net", Spec{Cmd: sh("ls /sys/class/net | tr '\\n' ' '")}, "lo "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.LayerDirs = []string{bb}
			out, es := run(t, e, tt.spec)
			if out != tt.want || es.ExitCode != 0 {
				t.Errorf("run = %q, exit %d; want %q, exit 0", out, es.ExitCode, tt.want)
			}
		})
	}
}

func TestLifecycle(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{ID: "life", LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"sleep", "60"}}
	if err := e.Create(spec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := e.Create(spec); !errors.Is(err, ErrExists) {
		t.Errorf("Create twice = %v, want ErrExists", err)
	}
	if err := e.Start(spec.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := e.Remove(spec.ID, false); !errors.Is(err, ErrRunning) {
		t.Errorf("Remove(running) = %v, want ErrRunning", err)
	}
	// A fresh Engine value (a new supervisor) sees the container from disk.
	other := &Engine{Root: e.Root, CgroupParent: e.CgroupParent}
	list, err := other.List()
	if err != nil || len(list) != 1 || list[0].Status != StatusRunning {
		t.Fatalf("List = %+v, %v; want one running", list, err)
	}
	start := time.Now()
	es, err := other.Stop(spec.ID, syscall.SIGTERM, 200*time.Millisecond) // sleep as PID 1 ignores TERM
	if err != nil || es.ExitCode != 137 || es.Signal != int(syscall.SIGKILL) {
		t.Errorf("Stop = %+v, %v; want exit 137 by SIGKILL", es, err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("Stop took %v, want at least the grace period", d)
	}
	if err := e.Kill(spec.ID, syscall.SIGKILL); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Kill(exited) = %v, want ErrNotRunning", err)
	}
	if err := e.Remove(spec.ID, false); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := e.State(spec.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("State(removed) = %v, want ErrNotFound", err)
	}
	if err := e.Remove(spec.ID, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("Remove(removed) = %v, want ErrNotFound", err)
	}
}

func TestCgroupLimits(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	t.Run("oom", func(t *testing.T) {
		spec := Spec{LayerDirs: []string{bb}, Cmd: []string{"sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived"},
			Resources: Resources{Memory: 16 << 20, MemorySwap: 16 << 20}}
		out, es := run(t, e, spec)
		if !es.OOMKilled || es.ExitCode != 137 || strings.Contains(out, "survived") {
			t.Errorf("run over memory limit = %q, %+v; want OOMKilled exit 137", out, es)
		}
	})
	t.Run("pids", func(t *testing.T) {
		spec := Spec{LayerDirs: []string{bb}, Cmd: []string{"sh", "-c", "for i in 1 2 3 4 5 6; do sleep 5 & done 2>/dev/null; echo started"},
			Resources: Resources{PidsLimit: 3, CPUs: 0.5, CPUShares: 512, Memory: 64 << 20}}
		spec.ID = "p" + randSuffix()
		if err := e.Create(spec); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Remove(spec.ID, true) })
		if err := e.Start(spec.ID); err != nil {
			t.Fatal(err)
		}
		dirs := cgroupDirs(e.CgroupParent, spec.ID)
		want := map[string]string{"pids/pids.max": "3", "cpu/cpu.cfs_quota_us": "50000", "cpu/cpu.shares": "512",
			"memory/memory.limit_in_bytes": "67108864"}
		if unified() {
			want = map[string]string{"/pids.max": "3", "/cpu.max": "50000 100000", "/memory.max": "67108864"}
		}
		// Unset MemorySwap means swap = memory, as in Docker (where the kernel accounts swap).
		if _, err := os.Stat(filepath.Join(dirs["memory"], "memory.memsw.limit_in_bytes")); err == nil {
			want["memory/memory.memsw.limit_in_bytes"] = "134217728"
		}
		if _, err := os.Stat(filepath.Join(dirs[""], "memory.swap.max")); unified() && err == nil {
			want["/memory.swap.max"] = "67108864"
		}
		for file, v := range want {
			ctrl, name, _ := strings.Cut(file, "/")
			b, err := os.ReadFile(filepath.Join(dirs[ctrl], name))
			if err != nil || strings.TrimSpace(string(b)) != v {
				t.Errorf("%s = %q, %v; want %s", file, b, err, v)
			}
		}
		e.Stop(spec.ID, syscall.SIGKILL, time.Second)
	})
}

func TestLogsRotateTail(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{ID: "logs", LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo line$i; done"},
		LogMaxSize: 200, LogMaxFiles: 3}
	startContainer(t, e, spec)
	// A follower that starts early sees every line as it is written; one that starts
	// after the exit sees what rotation kept.
	if _, err := e.Wait(spec.ID); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := e.Logs(spec.ID, LogOptions{Follow: true}, func(le LogEntry) error { got = append(got, le.Log); return nil }); err != nil {
		t.Fatal(err)
	}
	// 3 files of at most 200 bytes, ~70 bytes a line: the oldest lines were dropped.
	if len(got) == 0 || len(got) >= 10 || got[len(got)-1] != "line10\n" {
		t.Errorf("Logs(follow) = %q, want the last few lines ending in line10", got)
	}
	got = nil
	e.Logs(spec.ID, LogOptions{Tail: 2}, func(le LogEntry) error { got = append(got, le.Log); return nil })
	if strings.Join(got, "") != "line9\nline10\n" {
		t.Errorf("Logs(tail 2) = %q, want line9 line10", got)
	}
	got = nil
	e.Logs(spec.ID, LogOptions{Since: time.Now().Add(time.Hour)}, func(le LogEntry) error { got = append(got, le.Log); return nil })
	if len(got) != 0 {
		t.Errorf("Logs(since future) = %q, want none", got)
	}
}

// BenchmarkRunTrue times create+start+wait+remove of `true` (busybox, fresh namespaces
// with an empty network namespace, cgroups, overlay rootfs) and reports the median of
// each phase. As root, from the repository root:
//
//	make shim && go test -tags berth_shim -run '^$' -bench 'RunTrue|ExecTrue' -benchtime 400x ./engine
func BenchmarkRunTrue(b *testing.B) { benchRunTrue(b, "") }

// BenchmarkRunTrueUnconfined is BenchmarkRunTrue without a seccomp filter: the
// difference is the filter's cost (its compile is cached, its load is in the shim).
func BenchmarkRunTrueUnconfined(b *testing.B) { benchRunTrue(b, SeccompUnconfined) }

func benchRunTrue(b *testing.B, seccomp string) {
	testenv.RequiresRoot(b)
	e := newEngine(b)
	spec := Spec{LayerDirs: []string{busyboxLayer(b)}, Cmd: []string{"true"}, Resources: Resources{PidsLimit: 100}, Seccomp: seccomp}
	phases := []string{"create", "start", "wait", "remove"}
	durs := make([][]time.Duration, len(phases)+1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		spec.ID = "b" + randSuffix()
		steps := []func() error{
			func() error { return e.Create(spec) },
			func() error { return e.Start(spec.ID) },
			func() error {
				if es, err := e.Wait(spec.ID); err != nil || es.ExitCode != 0 {
					return fmt.Errorf("Wait = %+v, %v", es, err)
				}
				return nil
			},
			func() error { return e.Remove(spec.ID, false) },
		}
		t0 := time.Now()
		for j, step := range steps {
			ts := time.Now()
			if err := step(); err != nil {
				b.Fatalf("%s: %v", phases[j], err)
			}
			durs[j+1] = append(durs[j+1], time.Since(ts))
		}
		durs[0] = append(durs[0], time.Since(t0))
	}
	for j, d := range durs {
		sort.Slice(d, func(i, k int) bool { return d[i] < d[k] })
		name := "median-ns/op"
		if j > 0 {
			name = phases[j-1] + "-median-ns/op"
		}
		b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), name)
	}
}

func TestInitPID1(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	out, es := run(t, e, Spec{LayerDirs: []string{bb}, Init: true, User: "app",
		Cmd: []string{"sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline; echo; id -u; grep CapEff /proc/self/status; exit 4"}})
	if want := "berth-shim \n1000\nCapEff:\t0000000000000000\n"; out != want || es.ExitCode != 4 {
		t.Errorf("run with init = %q, exit %d; want %q, exit 4", out, es.ExitCode, want)
	}
	// A TERM to PID 1 reaches the command (sh as PID 1 alone would ignore it).
	spec := Spec{ID: "i" + randSuffix(), LayerDirs: []string{bb}, Init: true, Cmd: []string{"sleep", "60"}}
	startContainer(t, e, spec)
	es, err := e.Stop(spec.ID, syscall.SIGTERM, 10*time.Second)
	if err != nil || es.ExitCode != 128+int(syscall.SIGTERM) {
		t.Errorf("Stop(TERM) with init = %+v, %v; want exit 143", es, err)
	}
}

func TestTTY(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	out, es := run(t, e, Spec{LayerDirs: []string{busyboxLayer(t)}, Tty: true,
		Cmd: []string{"sh", "-c", "test -t 0 && test -t 1 && echo tty; echo err >&2"}})
	if out != "tty\r\nerr\r\n" || es.ExitCode != 0 {
		t.Errorf("run with tty = %q, exit %d; want %q, exit 0", out, es.ExitCode, "tty\r\nerr\r\n")
	}
}

// TestStarterGone: the container outlives the process that started it, and another
// process still learns its exit code.
func TestStarterGone(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	sig := t.TempDir()
	spec := Spec{ID: "orphan", LayerDirs: []string{busyboxLayer(t)}, Mounts: []Mount{{Type: "bind", Source: sig, Target: "/s"}},
		Cmd: []string{"sh", "-c", "while [ ! -e /s/go ]; do sleep 0.05; done; exit 7"}}
	if err := e.Create(spec); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "BT_RT_STARTER_ROOT="+e.Root, "BT_RT_STARTER_CGROUP="+e.CgroupParent, "BT_RT_STARTER_ID="+spec.ID)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("starter: %v: %s", err, out)
	}
	st, err := e.State(spec.ID)
	if err != nil || st.Status != StatusRunning {
		t.Fatalf("State after starter exit = %+v, %v; want running", st, err)
	}
	if err := os.WriteFile(filepath.Join(sig, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	es, err := e.Wait(spec.ID)
	if err != nil || es.ExitCode != 7 {
		t.Errorf("Wait = %+v, %v; want exit 7", es, err)
	}
}

// TestManyLayers: 120 layers with long paths exceed a page of mount options unless the
// lowerdir names are short.
func TestManyLayers(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	layers := []string{busyboxLayer(t)}
	base := t.TempDir()
	for i := 0; i < 120; i++ {
		d := filepath.Join(base, fmt.Sprintf("%s-layer-%03d", strings.Repeat("x", 40), i))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "f"), []byte(fmt.Sprint(i)), 0o644); err != nil {
			t.Fatal(err)
		}
		layers = append(layers, d)
	}
	if out, es := run(t, e, Spec{LayerDirs: layers, Cmd: []string{"cat", "/f"}}); out != "119" || es.ExitCode != 0 {
		t.Errorf("cat /f over 120 layers = %q, exit %d; want the top layer's 119", out, es.ExitCode)
	}
}

// TestJoinNetNS: a container joins a persistent netns made outside the engine.
func TestJoinNetNS(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	name := "bt-rt-" + randSuffix()
	for _, args := range [][]string{{"netns", "add", name}, {"-n", name, "link", "add", "bt0", "type", "veth", "peer", "name", "bt1"}} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
		if args[0] == "netns" {
			t.Cleanup(func() {
				if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
					t.Errorf("ip netns del %s: %v: %s", name, err, out)
				}
			})
		}
	}
	out, es := run(t, e, Spec{LayerDirs: []string{busyboxLayer(t)}, NetNSPath: "/run/netns/" + name,
		Cmd: []string{"sh", "-c", "ls /sys/class/net | tr '\\n' ' '"}})
	if want := "bt0 bt1 lo "; out != want || es.ExitCode != 0 {
		t.Errorf("ls /sys/class/net in joined netns = %q, exit %d; want %q", out, es.ExitCode, want)
	}
}

func TestDevices(t *testing.T) {
	testenv.RequiresRoot(t)
	for _, p := range []string{"/dev/net/tun", "/dev/loop-control"} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("skipping: host has no %s: %v", p, err)
		}
	}
	e := newEngine(t)
	spec := Spec{LayerDirs: []string{busyboxLayer(t)},
		Devices: []Device{{PathOnHost: "/dev/net/tun"}, {PathOnHost: "/dev/loop-control", PathInContainer: "/dev/lc", Permissions: "r"}},
		Cmd: []string{"sh", "-c", "exec 3<>/dev/net/tun && echo tun-rw; exec 4</dev/lc && echo lc-r; " +
			"(exec 5>/dev/lc) 2>/dev/null && echo lc-w || echo lc-w-denied; (exec 6</dev/fuse) 2>/dev/null || echo no-fuse"}}
	out, es := run(t, e, spec)
	if want := "tun-rw\nlc-r\nlc-w-denied\nno-fuse\n"; out != want || es.ExitCode != 0 {
		t.Errorf("devices run = %q, %+v; want %q, exit 0", out, es, want)
	}
}

func TestDeviceValidate(t *testing.T) {
	tests := []struct {
		d     Device
		valid bool
	}{
		{Device{PathOnHost: "/dev/net/tun"}, true},
		{Device{PathOnHost: "/dev/net/tun", PathInContainer: "/dev/t", Permissions: "rw"}, true},
		{Device{PathOnHost: "dev/net/tun"}, false},
		{Device{PathOnHost: "/dev/net/tun", PathInContainer: "t"}, false},
		{Device{PathOnHost: "/dev/net/tun", Permissions: "rwx"}, false},
	}
	for _, tt := range tests {
		if err := tt.d.validate(); (err == nil) != tt.valid || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%+v.validate() = %v, want valid %v (else ErrInvalid)", tt.d, err, tt.valid)
		}
	}
}

// TestLogEncoding: the shim's json log keeps every byte a container writes as Go's
// encoding/json would (quotes, backslashes, control characters, HTML characters, UTF-8),
// turns invalid UTF-8 into U+FFFD, splits a line longer than its 16 KiB buffer, keeps
// the streams apart and a last line without a newline.
func TestLogEncoding(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	long := strings.Repeat("x", 20000)
	script := `printf 'q"b\\s\001\t<&>\303\251\n'; printf 'bad\377\376\n'; printf 'err\n' >&2; printf '` + long + `\n'; printf 'tail'`
	spec := Spec{ID: "enc", LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"sh", "-c", script}}
	startContainer(t, e, spec)
	if _, err := e.Wait(spec.ID); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr []string
	err := e.Logs(spec.ID, LogOptions{}, func(le LogEntry) error {
		if le.Stream == "stderr" {
			stderr = append(stderr, le.Log)
		} else {
			stdout = append(stdout, le.Log)
		}
		if le.Time.IsZero() || time.Since(le.Time) > time.Minute {
			t.Errorf("entry %q has time %v", le.Log, le.Time)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"q\"b\\s\x01\t<&>é\n", "bad\ufffd\ufffd\n", long[:16384], long[16384:] + "\n", "tail"}
	if !slices.Equal(stdout, want) {
		t.Errorf("stdout entries = %q, want %q", stdout, want)
	}
	if !slices.Equal(stderr, []string{"err\n"}) {
		t.Errorf("stderr entries = %q, want [err]", stderr)
	}
	raw, err := os.ReadFile(filepath.Join(mustDir(e, spec.ID), logName))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		var le LogEntry
		if err := json.Unmarshal([]byte(line), &le); err != nil || !utf8.ValidString(line) {
			t.Errorf("log line %d %.80q: not valid UTF-8 JSON: %v", i, line, err)
		}
	}
}

// TestInitLayer: the mountpoints an image lacks (/proc, /dev, /sys, /etc and its hosts,
// hostname and resolv.conf) come from the shared init layer under the image, so the
// container's upper dir gets none of them; an image's own file still wins over the
// layer's empty one when nothing is mounted there.
func TestInitLayer(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bare := goLayer(t) // /hello only: no /etc, /proc, /dev or /sys
	spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{bare}, Cmd: []string{"/hello"},
		Hostname: "box", Hosts: "127.0.0.1 localhost\n", ResolvConf: "nameserver 10.0.0.1\n"}
	startContainer(t, e, spec)
	if es, err := e.Wait(spec.ID); err != nil || es.ExitCode != 0 {
		t.Fatalf("Wait = %+v, %v; want exit 0", es, err)
	}
	upper, err := os.ReadDir(filepath.Join(mustDir(e, spec.ID), "upper"))
	if err != nil {
		t.Fatal(err)
	}
	if len(upper) != 0 {
		var names []string
		for _, u := range upper {
			names = append(names, u.Name())
		}
		t.Errorf("upper dir of a fresh container holds %v; want nothing (mountpoints come from the init layer)", names)
	}

	own := busyboxLayer(t)
	if err := os.WriteFile(filepath.Join(own, "etc/hostname"), []byte("from-image\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, es := run(t, e, Spec{LayerDirs: []string{own}, Cmd: []string{"cat", "/etc/hostname", "/etc/resolv.conf"}})
	if out != "from-image\n" || es.ExitCode != 0 {
		t.Errorf("cat /etc/hostname /etc/resolv.conf = %q, exit %d; want the image's hostname and the init layer's empty resolv.conf", out, es.ExitCode)
	}
}

// TestSpareDirs: Remove recycles a container dir whose upper and work dirs are empty and
// untouched, and Create takes it back; a container that wrote a file, or changed the
// root's mode, leaves nothing to recycle; at most maxSpareDirs are kept.
func TestSpareDirs(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	layer := busyboxLayer(t)
	spares := func() int { names, _ := readDirNames(e.spareDirs()); return len(names) }
	if out, es := run(t, e, Spec{LayerDirs: []string{layer}, Cmd: []string{"true"}}); out != "" || es.ExitCode != 0 {
		t.Fatalf("true: %q, exit %d", out, es.ExitCode)
	}
	if n := spares(); n != 1 {
		t.Fatalf("spare dirs after removing an untouched container = %d, want 1", n)
	}
	out, _ := run(t, e, Spec{LayerDirs: []string{layer}, Cmd: []string{"sh", "-c", "ls -A /tmp; echo data > /tmp/f"}})
	if out != "" {
		t.Errorf("a recycled dir showed files: ls -A /tmp = %q, want nothing", out)
	}
	if n := spares(); n != 0 {
		t.Errorf("spare dirs after removing a container that wrote a file = %d, want 0 (taken, not given back)", n)
	}
	run(t, e, Spec{LayerDirs: []string{layer}, Cmd: []string{"sh", "-c", "chmod 700 /"}})
	if n := spares(); n != 0 {
		t.Errorf("spare dirs after a container changed / = %d, want 0", n)
	}
	for range maxSpareDirs + 2 {
		run(t, e, Spec{LayerDirs: []string{layer}, Cmd: []string{"true"}})
	}
	if n := spares(); n != 1 {
		t.Errorf("spare dirs after sequential runs = %d, want 1 (each run takes the one the last left)", n)
	}
	var ids []string
	for range maxSpareDirs + 2 {
		spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{layer}, Cmd: []string{"true"}}
		startContainer(t, e, spec)
		e.Wait(spec.ID)
		ids = append(ids, spec.ID)
	}
	for _, id := range ids {
		if err := e.Remove(id, false); err != nil {
			t.Fatal(err)
		}
	}
	if n := spares(); n != maxSpareDirs {
		t.Errorf("spare dirs after removing %d containers = %d, want the bound %d", len(ids), n, maxSpareDirs)
	}
	if ents, _ := os.ReadDir(filepath.Join(e.Root, "containers")); len(ents) != 0 {
		t.Errorf("containers dir not empty after the removals: %d entries", len(ents))
	}
}

// TestSpareDirsConcurrent: containers made and removed from several goroutines at once
// (as up and down do) never get a half-cleaned recycled dir.
func TestSpareDirsConcurrent(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	layer := busyboxLayer(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for range 8 {
				spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{layer}, Cmd: []string{"true"}}
				if err := e.Create(spec); err != nil {
					errs <- err
					return
				}
				err := e.Start(spec.ID)
				if err == nil {
					_, err = e.Wait(spec.ID)
				}
				if rerr := e.Remove(spec.ID, true); err == nil {
					err = rerr
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
