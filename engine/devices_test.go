package engine

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// useCgroupV1 skips the test unless the host has the v1 hierarchies (with devices).
func useCgroupV1(t *testing.T) {
	t.Helper()
	if unified() {
		t.Skip("skipping: the host's cgroups are v2 only")
	}
	if _, err := os.Stat(filepath.Join(cgroupRoot, "devices")); err != nil {
		t.Skipf("skipping: no v1 devices hierarchy: %v", err)
	}
}

// useCgroupV2 points the engine at a cgroup2 hierarchy until the test ends: the host's
// on a v2 host, else the cgroup2 mount beside the v1 ones (hybrid), else a cgroup2 it
// mounts on a temp dir (unmounted at cleanup). Call it before newEngine, so that the
// engine's cleanup runs on the same hierarchy.
func useCgroupV2(t testing.TB) {
	t.Helper()
	if unified() {
		return
	}
	root := cgroup2Mount(t)
	if root == "" {
		root = t.TempDir()
		if err := unix.Mount("cgroup2", root, "cgroup2", 0, ""); err != nil {
			t.Skipf("skipping: mount cgroup2: %v", err)
		}
		t.Cleanup(func() {
			if err := unix.Unmount(root, unix.MNT_DETACH); err != nil {
				t.Errorf("unmount %s: %v", root, err)
			}
		})
	}
	old := cgroupRoot
	cgroupRoot = root
	t.Cleanup(func() { cgroupRoot = old })
}

// cgroup2Mount returns a cgroup2 mount point of /proc/mounts, or "".
func cgroup2Mount(t testing.TB) string {
	t.Helper()
	f, err := os.Open("/proc/mounts")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 2 && f[2] == "cgroup2" {
			return f[1]
		}
	}
	return ""
}

// hostBlockDevice returns the major and minor numbers of a block device that a
// process with access to it can open harmlessly: the host's /dev/loop0 (7:0; an unbound
// loop device opens, and is not read). The host's own disk would do for the denials,
// but sandboxes refuse opening it even to the host's root.
func hostBlockDevice(t *testing.T) (uint32, uint32) {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat("/dev/loop0", &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFBLK {
		t.Skipf("skipping: host has no block device /dev/loop0: %v", err)
	}
	return unix.Major(st.Rdev), unix.Minor(st.Rdev)
}

// TestDeviceAllowList runs, on cgroup v1 (devices controller) and v2 (BPF program),
// containers that use the default devices, make and open host devices, and use the
// devices and rules their spec allows.
func TestDeviceAllowList(t *testing.T) {
	testenv.RequiresRoot(t)
	for _, lp := range []string{"/dev/loop-control", "/dev/net/tun"} {
		if _, err := os.Stat(lp); err != nil {
			t.Skipf("skipping: host has no %s: %v", lp, err)
		}
	}
	for _, mode := range []string{"v1", "v2"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "v1" {
				useCgroupV1(t)
			} else {
				useCgroupV2(t)
			}
			testDeviceAllowList(t)
		})
	}
}

func testDeviceAllowList(t *testing.T) {
	e := newEngine(t)
	bb := busyboxLayer(t)
	maj, minor := hostBlockDevice(t)
	// opens tells whether the node at path opens for access ("<", ">" or "<>").
	opens := func(path, access string) string {
		return fmt.Sprintf("if (exec 3%s%s) 2>/tmp/err; then echo %s ok; else echo %s $(cat /tmp/err); fi; ", access, path, path, path)
	}
	disk := fmt.Sprintf("mknod /tmp/disk b %d %d && ", maj, minor) + opens("/tmp/disk", "<")
	const denied = "Operation not permitted"
	// The container runs in the hierarchy under test: v1's devices controller or v2.
	id := "c" + randSuffix()
	want := "devices:/" + e.cgroupParent() + "/" + id
	if unified() {
		want = "0::/" + e.cgroupParent() + "/" + id
	}
	// Read from the host: on v2 the container has a cgroup namespace of its own ("0::/").
	startContainer(t, e, Spec{ID: id, LayerDirs: []string{bb}, Cmd: []string{"sleep", "60"}})
	st, err := e.State(id)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", st.Pid)); !strings.Contains(string(b), want) {
		t.Fatalf("/proc/PID/cgroup of the container = %q, want a line %q", b, want)
	}
	if err := e.Remove(id, true); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		spec Spec
		want []string // lines of the output, each a prefix ("/tmp/disk ok") or a substring (denied)
	}{
		{"host disk denied", Spec{Cmd: []string{"sh", "-c", disk}}, []string{"/tmp/disk " + denied}},
		{"kmsg denied", Spec{Cmd: []string{"sh", "-c", "mknod /tmp/kmsg c 1 11 && " + opens("/tmp/kmsg", "<")}},
			[]string{"/tmp/kmsg " + denied}},
		{"fuse denied", Spec{Cmd: []string{"sh", "-c", "mknod /tmp/fuse c 10 229 && " + opens("/tmp/fuse", "<>")}},
			[]string{"/tmp/fuse " + denied}},
		{"defaults", Spec{Cmd: []string{"sh", "-c", opens("/dev/null", "<>") + opens("/dev/zero", "<") + opens("/dev/full", ">") +
			opens("/dev/random", "<") + opens("/dev/urandom", "<") + opens("/dev/ptmx", "<>") +
			"mknod /tmp/tun c 10 200 && " + opens("/tmp/tun", "<>") +
			"head -c 4 /dev/urandom | wc -c"}},
			[]string{"/dev/null ok", "/dev/zero ok", "/dev/full ok", "/dev/random ok", "/dev/urandom ok", "/dev/ptmx ok",
				"/tmp/tun ok", "4"}},
		{"tty and pts", Spec{Tty: true, Cmd: []string{"sh", "-c", opens("/dev/tty", "<>") + opens("/proc/self/fd/0", "<>")}},
			[]string{"/dev/tty ok", "/proc/self/fd/0 ok"}},
		{"devices", Spec{Devices: []Device{{PathOnHost: "/dev/net/tun"}, {PathOnHost: "/dev/loop-control", PathInContainer: "/dev/lc", Permissions: "r"}},
			Cmd: []string{"sh", "-c", opens("/dev/net/tun", "<>") + opens("/dev/lc", "<") + opens("/dev/lc", ">")}},
			[]string{"/dev/net/tun ok", "/dev/lc ok", "/dev/lc " + denied}},
		{"device_cgroup_rules", Spec{DeviceCgroupRules: []string{"c 10:237 r", "c 1:* r"},
			Cmd: []string{"sh", "-c", "mknod /tmp/lc c 10 237 && " + opens("/tmp/lc", "<") + opens("/tmp/lc", ">") +
				"mknod /tmp/mem c 1 1 && " + opens("/tmp/mem", ">") + disk}},
			[]string{"/tmp/lc ok", "/tmp/lc " + denied, "/tmp/mem " + denied, "/tmp/disk " + denied}},
		{"rule a *:* rwm", Spec{DeviceCgroupRules: []string{"a *:* rwm"}, Cmd: []string{"sh", "-c", disk}}, []string{"/tmp/disk ok"}},
		{"privileged", Spec{Privileged: true, Cmd: []string{"sh", "-c", disk}}, []string{"/tmp/disk ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.LayerDirs = []string{bb}
			out, es := run(t, e, tt.spec)
			lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(out, "\r", "")), "\n")
			ok := es.ExitCode == 0 && len(lines) == len(tt.want)
			for i := 0; ok && i < len(lines); i++ {
				ok = strings.HasPrefix(lines[i], tt.want[i]) || strings.HasSuffix(tt.want[i], denied) &&
					strings.HasPrefix(lines[i], strings.TrimSuffix(tt.want[i], denied)) && strings.Contains(lines[i], denied)
			}
			if !ok {
				t.Errorf("run %q = %q, exit %d; want lines %q, exit 0", tt.spec.Cmd, out, es.ExitCode, tt.want)
			}
		})
	}
}

// TestDeviceFilterLifetime: on cgroup v2 the program stays attached when the process
// that started the container has exited, and goes with the cgroup on Remove.
func TestDeviceFilterLifetime(t *testing.T) {
	testenv.RequiresRoot(t)
	useCgroupV2(t)
	e := newEngine(t)
	sig := t.TempDir()
	maj, minor := hostBlockDevice(t)
	spec := Spec{ID: "devfilter", LayerDirs: []string{busyboxLayer(t)}, Mounts: []Mount{{Type: "bind", Source: sig, Target: "/s"}},
		Cmd: []string{"sh", "-c", fmt.Sprintf("while [ ! -e /s/go ]; do sleep 0.05; done; mknod /tmp/d b %d %d && (exec 3</tmp/d) && echo opened", maj, minor)}}
	if err := e.Create(spec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Remove(spec.ID, true) })
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "BT_RT_STARTER_ROOT="+e.Root, "BT_RT_STARTER_CGROUP="+e.CgroupParent,
		"BT_RT_STARTER_ID="+spec.ID, "BT_RT_STARTER_CGROUP_ROOT="+cgroupRoot)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("starter: %v: %s", err, out)
	}
	dir := cgroupDirs(e.cgroupParent(), spec.ID)[""]
	ids := attachedDevicePrograms(t, dir)
	if len(ids) != 1 {
		t.Fatalf("device programs on %s = %v, want one", dir, ids)
	}
	if err := os.WriteFile(filepath.Join(sig, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if es, err := e.Wait(spec.ID); err != nil || es.ExitCode == 0 {
		t.Errorf("Wait = %+v, %v; want a failed open of the host disk", es, err)
	}
	// A restart replaces the program: the cgroup still holds one.
	if err := e.Start(spec.ID); err != nil {
		t.Fatal(err)
	}
	if again := attachedDevicePrograms(t, dir); len(again) != 1 {
		t.Errorf("device programs after a restart = %v, want one", again)
	}
	if err := e.Remove(spec.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		waitProgramGone(t, id)
	}
}

// attachedDevicePrograms lists the BPF_CGROUP_DEVICE programs attached to the cgroup dir.
func attachedDevicePrograms(t *testing.T, dir string) []ebpf.ProgramID {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	res, err := link.QueryPrograms(link.QueryOptions{Target: fd, Attach: ebpf.AttachCGroupDevice})
	if err != nil {
		t.Fatalf("query device programs of %s: %v", dir, err)
	}
	var ids []ebpf.ProgramID
	for _, p := range res.Programs {
		ids = append(ids, p.ID)
	}
	return ids
}

// waitProgramGone waits until the kernel has freed program id (it does so shortly after
// the cgroup's removal, from a work queue).
func waitProgramGone(t *testing.T, id ebpf.ProgramID) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		p, err := ebpf.NewProgramFromID(id)
		if errors.Is(err, os.ErrNotExist) {
			return
		}
		if err == nil {
			p.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("device program %d still loaded 5 s after its cgroup was removed (%v)", id, err)
		}
	}
}

func TestParseDeviceRule(t *testing.T) {
	tests := []struct {
		in   string
		want DeviceRule
		err  bool
	}{
		{"c 1:3 mr", DeviceRule{'c', 1, 3, "mr"}, false},
		{"a *:* rwm", DeviceRule{'a', -1, -1, "rwm"}, false},
		{"b 8:* r", DeviceRule{'b', 8, -1, "r"}, false},
		{"c 4095:1048575 w", DeviceRule{'c', 4095, 1048575, "w"}, false},
		{"c 1:3", DeviceRule{}, true},
		{"x 1:3 r", DeviceRule{}, true},
		{"c 1:3 rwx", DeviceRule{}, true},
		{"c 1:3 rwmr", DeviceRule{}, true},
		{"c -1:3 r", DeviceRule{}, true},
		{"c  1:3 r", DeviceRule{}, true},
		{"c 99999999999:3 r", DeviceRule{}, true},
	}
	for _, tt := range tests {
		got, err := ParseDeviceRule(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseDeviceRule(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseDeviceRule(%q) error %v is not ErrInvalid", tt.in, err)
		}
		if err == nil && got.String() != tt.in && tt.in != "c 1:3 mr" {
			t.Errorf("ParseDeviceRule(%q).String() = %q", tt.in, got.String())
		}
	}
}

// BenchmarkDeviceFilter measures what the v2 allow-list adds to a container's cgroup:
// making and removing a cgroup dir, without and with loading and attaching the program.
func BenchmarkDeviceFilter(b *testing.B) {
	testenv.RequiresRoot(b)
	useCgroupV2(b)
	parent := filepath.Join(cgroupRoot, "bt-bench-"+randSuffix())
	if err := os.Mkdir(parent, 0o755); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.Remove(parent) })
	rules, err := deviceAllowList(nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, filter := range []bool{false, true} {
		b.Run(map[bool]string{false: "mkdir", true: "mkdir+filter"}[filter], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				dir := filepath.Join(parent, "c"+randSuffix())
				if err := os.Mkdir(dir, 0o755); err != nil {
					b.Fatal(err)
				}
				if filter {
					if err := attachDeviceFilter(dir, rules); err != nil {
						b.Fatal(err)
					}
				}
				if err := os.Remove(dir); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRunTrueV2 is BenchmarkRunTrue (create, start, wait, remove) on cgroup v2,
// with the device program and (privileged) without.
func BenchmarkRunTrueV2(b *testing.B) {
	testenv.RequiresRoot(b)
	useCgroupV2(b)
	e := newEngine(b)
	bb := busyboxLayer(b)
	for _, privileged := range []bool{false, true} {
		b.Run(map[bool]string{false: "filter", true: "privileged"}[privileged], func(b *testing.B) {
			spec := Spec{LayerDirs: []string{bb}, Cmd: []string{"true"}, Privileged: privileged}
			for i := 0; i < b.N; i++ {
				spec.ID = "b" + randSuffix()
				if err := e.Create(spec); err != nil {
					b.Fatal(err)
				}
				if err := e.Start(spec.ID); err != nil {
					b.Fatal(err)
				}
				if es, err := e.Wait(spec.ID); err != nil || es.ExitCode != 0 {
					b.Fatalf("Wait = %+v, %v", es, err)
				}
				if err := e.Remove(spec.ID, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDefaultDeviceRules: the defaults are Docker's allow-list, as devices.list shows it
// in a Docker container on cgroup v1.
func TestDefaultDeviceRules(t *testing.T) {
	want := []string{"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
		"c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm"}
	var got []string
	for _, r := range defaultDeviceRules {
		got = append(got, r.String())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("defaultDeviceRules = %q, want %q", got, want)
	}
}

// TestMemlockGivenBack: where loading a device program lifted this process's
// RLIMIT_MEMLOCK (kernels before 5.11), containers get the old limit back, unless their
// ulimits set one.
func TestMemlockGivenBack(t *testing.T) {
	old := memlockBefore.Load()
	t.Cleanup(func() { memlockBefore.Store(old) })
	memlockBefore.Store(&unix.Rlimit{Cur: 65536, Max: 131072})
	memlock := fmt.Sprintf("rlimit=%d:", unix.RLIMIT_MEMLOCK)
	for _, tt := range []struct {
		ulimits []Ulimit
		want    string
	}{
		{nil, memlock + "65536:131072"},
		{[]Ulimit{{Name: "nofile", Soft: 10, Hard: 20}}, memlock + "65536:131072"},
		{[]Ulimit{{Name: "memlock", Soft: 1, Hard: 2}}, memlock + "1:2"},
	} {
		var rec shimRecords
		if err := rec.rlimits(tt.ulimits); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range strings.Split(strings.TrimSuffix(rec.b.String(), "\x00"), "\x00") {
			if strings.HasPrefix(r, memlock) {
				got = append(got, r)
			}
		}
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("rlimits(%+v) memlock records = %q, want [%q]", tt.ulimits, got, tt.want)
		}
	}
}

// TestLoadWithMemlock: a load refused with EPERM (a kernel before 5.11 charging BPF to
// RLIMIT_MEMLOCK) is tried again once the limit is lifted, and the old limit is kept
// for the containers; any other outcome is the load's own, and lifts nothing.
func TestLoadWithMemlock(t *testing.T) {
	testenv.RequiresRoot(t)
	var orig unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &orig); err != nil {
		t.Fatal(err)
	}
	oldBefore, oldLift := memlockBefore.Load(), liftMemlock
	t.Cleanup(func() {
		unix.Setrlimit(unix.RLIMIT_MEMLOCK, &orig)
		memlockBefore.Store(oldBefore)
		liftMemlock = oldLift
	})
	low := unix.Rlimit{Cur: 4096, Max: orig.Max} // lifted to Max at least
	for _, tt := range []struct {
		name    string
		results []error // load's results, in turn
		want    error
		calls   int
		lifted  bool
	}{
		{"loads", []error{nil}, nil, 1, false},
		{"other error", []error{unix.EINVAL}, unix.EINVAL, 1, false},
		{"EPERM then loads", []error{unix.EPERM, nil}, nil, 2, true},
		{"EPERM twice", []error{unix.EPERM, unix.EPERM}, unix.EPERM, 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &low); err != nil {
				t.Fatal(err)
			}
			memlockBefore.Store(nil)
			liftMemlock = sync.OnceValue(liftMemlockNow)
			calls := 0
			err := loadWithMemlock(func() error { calls++; return tt.results[calls-1] })
			if !errors.Is(err, tt.want) || err == nil && tt.want != nil || calls != tt.calls {
				t.Errorf("loadWithMemlock = %v after %d loads, want %v after %d", err, calls, tt.want, tt.calls)
			}
			var now unix.Rlimit
			unix.Getrlimit(unix.RLIMIT_MEMLOCK, &now)
			lifted := now.Cur > low.Cur && now.Cur == now.Max
			if b := memlockBefore.Load(); lifted != tt.lifted || tt.lifted && (b == nil || *b != low) || !tt.lifted && b != nil {
				t.Errorf("memlock %+v, memlockBefore %v; want lifted %v, memlockBefore %+v when lifted", now, b, tt.lifted, low)
			}
		})
	}
}
