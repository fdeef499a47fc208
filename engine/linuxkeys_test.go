package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// readCgroupFile reads one file of the container's cgroup dir of ctrl ("" on v2).
func readCgroupFile(t *testing.T, dirs map[string]string, ctrl, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dirs[ctrl], file))
	if err != nil {
		t.Errorf("read %s: %v", file, err)
	}
	return strings.TrimSpace(string(b))
}

// TestResourcesV1 starts a container with every v1 limit beyond the basic ones and
// reads them back from cgroupfs: cpuset, realtime time (and the budget its parent
// got), memory reservation, swappiness, the OOM killer, block IO throttles; and, in
// the container, the one CPU the cpuset leaves it.
func TestResourcesV1(t *testing.T) {
	testenv.RequiresRoot(t)
	useCgroupV1(t)
	maj, minor := hostBlockDevice(t)
	e := newEngine(t)
	swappiness := int64(7)
	r := Resources{Memory: 64 << 20, CpusetCpus: "0", CpusetMems: "0", CPURealtimePeriod: 1000000, CPURealtimeRuntime: 10000,
		MemoryReservation: 32 << 20, MemorySwappiness: &swappiness, OOMKillDisable: true,
		Blkio: Blkio{Weight: 300, ReadBps: []ThrottleDevice{{"/dev/loop0", 1 << 20}}, WriteIOps: []ThrottleDevice{{"/dev/loop0", 100}}}}
	if _, err := os.Stat(filepath.Join(cgroupRoot, "cpu", rtRuntime)); err != nil {
		r.CPURealtimePeriod, r.CPURealtimeRuntime = 0, 0 // tested by TestRealtimeUnsupported
	}
	spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Resources: r,
		Cmd: []string{"sh", "-c", "busybox nproc > /tmp/nproc; sleep 60"}}
	startContainer(t, e, spec)
	dirs := cgroupDirs(e.cgroupParentOf(spec.ID), spec.ID)
	dev := fmt.Sprintf("%d:%d", maj, minor)
	want := map[string]string{
		"cpuset/cpuset.cpus":                     "0",
		"cpuset/cpuset.mems":                     "0",
		"memory/memory.soft_limit_in_bytes":      "33554432",
		"memory/memory.swappiness":               "7",
		"blkio/blkio.throttle.read_bps_device":   dev + " 1048576",
		"blkio/blkio.throttle.write_iops_device": dev + " 100",
	}
	if r.CPURealtimeRuntime > 0 {
		want["cpu/cpu.rt_runtime_us"] = "10000"
		if got := readInt(filepath.Join(filepath.Dir(dirs["cpu"]), rtRuntime)); got < 10000 {
			t.Errorf("parent cgroup's %s = %d, want at least the container's 10000", rtRuntime, got)
		}
	}
	for file, v := range want {
		ctrl, name, _ := strings.Cut(file, "/")
		if got := readCgroupFile(t, dirs, ctrl, name); got != v {
			t.Errorf("%s = %q, want %q", file, got, v)
		}
	}
	if got := readCgroupFile(t, dirs, "memory", "memory.oom_control"); !strings.Contains(got, "oom_kill_disable 1") {
		t.Errorf("memory.oom_control = %q, want oom_kill_disable 1", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(e.Root, "containers", spec.ID, "upper", "tmp", "nproc"))
		if strings.TrimSpace(string(b)) == "1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nproc in the container = %q, want 1 (cpuset 0)", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.Stop(spec.ID, syscall.SIGKILL, time.Second)
}

// TestResourcesV2Files writes the limits into a fake cgroup v2 dir (the host's v2
// mount may have no controllers: a hybrid host binds them to v1) and checks the
// files and formats: cpuset, memory.low, io.weight converted as runc does, io.max
// with every throttle of a device on one line; swappiness and the OOM killer have no
// v2 file and are left out.
func TestResourcesV2Files(t *testing.T) {
	testenv.RequiresRoot(t) // blockDevice stats /dev/loop0
	maj, minor := hostBlockDevice(t)
	dir := t.TempDir()
	files := []string{"cpuset.cpus", "cpuset.mems", "memory.low", "io.weight", "io.max"}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cg := &cgroup{v2: true, dirs: map[string]string{"": dir}}
	swappiness := int64(5)
	r := Resources{CpusetCpus: "0-1", CpusetMems: "0", MemoryReservation: 1 << 20, MemorySwappiness: &swappiness, OOMKillDisable: true,
		Blkio: Blkio{Weight: 10, ReadBps: []ThrottleDevice{{"/dev/loop0", 4096}}, WriteBps: []ThrottleDevice{{"/dev/loop0", 8192}}}}
	if err := cg.setLimits(r); err != nil {
		t.Fatalf("setLimits = %v", err)
	}
	dev := fmt.Sprintf("%d:%d", maj, minor)
	want := map[string]string{"cpuset.cpus": "0-1", "cpuset.mems": "0", "memory.low": "1048576", "io.weight": "default 1",
		"io.max": dev + " rbps=4096 wbps=8192"}
	for f, v := range want {
		if got := readCgroupFile(t, cg.dirs, "", f); got != v {
			t.Errorf("%s = %q, want %q", f, got, v)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != len(files) {
		t.Errorf("files after setLimits: %d, want only the %d v2 files", len(ents), len(files))
	}
	if err := cg.setLimits(Resources{CPURealtimeRuntime: 1000}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "cgroup v2") {
		t.Errorf("setLimits(realtime) on v2 = %v, want ErrInvalid naming cgroup v2", err)
	}
}

// TestResourcesUnapplied checks which settings a v2 host without io and cpuset
// controllers reports as discarded.
func TestResourcesUnapplied(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "cgroup.controllers"), []byte("cpu memory pids\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := cgroupRoot
	cgroupRoot = root
	t.Cleanup(func() { cgroupRoot = old })
	one := int64(1)
	r := Resources{CpusetCpus: "0", MemorySwappiness: &one, OOMKillDisable: true, MemoryReservation: 1, Blkio: Blkio{Weight: 100}}
	want := []string{"CpusetCpus", "MemorySwappiness", "OOMKillDisable", "Blkio"}
	if got := r.Unapplied(); !slices.Equal(got, want) {
		t.Errorf("Unapplied() = %q, want %q", got, want)
	}
	if got := (Resources{Memory: 1 << 20}).Unapplied(); len(got) != 0 {
		t.Errorf("Unapplied(memory only) = %q, want none", got)
	}
}

// TestProcessKeys runs a container with supplementary groups, an oom_score_adj, a
// cgroup namespace of its own, and a parent cgroup of its own, and checks them from
// inside (id, /proc/self) and outside (the cgroup's place, removed with the
// container, parent included).
func TestProcessKeys(t *testing.T) {
	testenv.RequiresRoot(t)
	bothCgroupVersions(t, testProcessKeys)
}

// bothCgroupVersions runs test on the host's v1 hierarchies and on a cgroup2 one.
func bothCgroupVersions(t *testing.T, test func(*testing.T)) {
	for _, mode := range []string{"v1", "v2"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "v1" {
				useCgroupV1(t)
			} else {
				useCgroupV2(t)
			}
			test(t)
		})
	}
}

func testProcessKeys(t *testing.T) {
	e := newEngine(t)
	parent := "bt-parent-" + randSuffix() + "/sub"
	out, es := run(t, e, Spec{LayerDirs: []string{busyboxLayer(t)}, User: "app", GroupAdd: []string{"extra", "3000"},
		OOMScoreAdj: 500, CgroupNS: CgroupNSPrivate, CgroupParent: parent,
		Cmd: []string{"sh", "-c", "id -G; cat /proc/self/oom_score_adj; grep -c ':/$' /proc/self/cgroup; wc -l < /proc/self/cgroup"}})
	f := strings.Fields(out)
	if es.ExitCode != 0 || len(f) != 6 {
		t.Fatalf("run = %q, %+v", out, es)
	}
	if got := strings.Join(f[:3], " "); got != "1000 2000 3000" {
		t.Errorf("id -G = %q, want 1000 2000 3000 (app, extra, 3000)", got)
	}
	if f[3] != "500" {
		t.Errorf("oom_score_adj = %s, want 500", f[3])
	}
	if f[4] != f[5] {
		t.Errorf("%s of %s lines of /proc/self/cgroup are \"/\", want all (a private cgroup namespace)", f[4], f[5])
	}
	for _, d := range cgroupDirs(strings.Split(parent, "/")[0], "") {
		if _, err := os.Stat(d); err == nil {
			t.Errorf("parent cgroup %s left after Remove", d)
		}
	}
}

// TestCgroupParentPlace checks that a container with a parent cgroup of its own has
// its cgroup there while it runs, with the host's cgroup namespace.
func TestCgroupParentPlace(t *testing.T) {
	testenv.RequiresRoot(t)
	bothCgroupVersions(t, testCgroupParentPlace)
}

func testCgroupParentPlace(t *testing.T) {
	e := newEngine(t)
	parent := "bt-parent-" + randSuffix()
	spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, CgroupParent: parent, CgroupNS: CgroupNSHost,
		OOMScoreAdj: 300, Cmd: []string{"sleep", "60"}}
	startContainer(t, e, spec)
	var out strings.Builder
	if code, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"cat", "/proc/self/oom_score_adj"}, Stdout: &out}); err != nil || code != 0 || out.String() != "300\n" {
		t.Errorf("exec cat oom_score_adj = %q, %d, %v; want 300, the container's", out.String(), code, err)
	}
	st, err := e.State(spec.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", st.Pid))
	if !strings.Contains(string(b), "/"+parent+"/"+spec.ID+"\n") {
		t.Errorf("/proc/PID1/cgroup = %q, want the container's cgroup under %s", b, parent)
	}
	// v2 with the host's namespace: the container sees the host's tree, as Docker.
	if own := fmt.Sprintf("/proc/%d/root/sys/fs/cgroup/%s/%s", st.Pid, parent, spec.ID); unified() {
		if _, err := os.Stat(own); err != nil {
			t.Errorf("the host's cgroup tree in the container: %v", err)
		}
	}
	if err := e.Remove(spec.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, d := range cgroupDirs(parent, "") {
		if _, err := os.Stat(d); err == nil {
			t.Errorf("parent cgroup %s left after Remove", d)
		}
	}
}

// TestSpecValidateKeys refuses bad values of the cgroup and process keys.
func TestSpecValidateKeys(t *testing.T) {
	big := int64(101)
	for _, s := range []Spec{
		{CgroupParent: "a/../../x"},
		{CgroupNS: "shared"},
		{OOMScoreAdj: 1001},
		{Resources: Resources{MemorySwappiness: &big}},
		{Resources: Resources{Memory: 1 << 20, MemoryReservation: 2 << 20}},
		{Resources: Resources{CPURealtimePeriod: 1000, CPURealtimeRuntime: 2000}},
		{Resources: Resources{Blkio: Blkio{Weight: 5}}},
		{Resources: Resources{Blkio: Blkio{WeightDevice: []WeightDevice{{"/dev/loop0", 2000}}}}},
	} {
		s.ID, s.LayerDirs, s.Cmd = "c", []string{"/"}, []string{"true"}
		if err := s.validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("validate(%+v) = %v, want ErrInvalid", s, err)
		}
	}
}

// TestNoLog runs a container whose output is dropped: no log file, and Logs says
// so, as Docker's "none" driver.
func TestNoLog(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, NoLog: true, Cmd: []string{"echo", "hello"}}
	startContainer(t, e, spec)
	if es, err := e.Wait(spec.ID); err != nil || es.ExitCode != 0 {
		t.Fatalf("Wait = %+v, %v", es, err)
	}
	if _, err := os.Stat(filepath.Join(e.Root, "containers", spec.ID, logName)); err == nil {
		t.Errorf("%s exists, want no log file", logName)
	}
	if err := e.Logs(spec.ID, LogOptions{}, func(LogEntry) error { return nil }); !errors.Is(err, ErrNoLog) {
		t.Errorf("Logs = %v, want ErrNoLog", err)
	}
}

// TestRealtimeUnsupported: on cgroup v2, and on v1 without realtime group scheduling,
// realtime CPU time is a clear error.
func TestRealtimeUnsupported(t *testing.T) {
	old := cgroupRoot
	t.Cleanup(func() { cgroupRoot = old })
	v2, v1 := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(v2, "cgroup.controllers"), []byte("cpu memory\n"), 0o644)
	os.Mkdir(filepath.Join(v1, "cpu"), 0o755)
	for root, want := range map[string]string{v2: "cgroup v2 has no realtime", v1: "CONFIG_RT_GROUP_SCHED"} {
		cgroupRoot = root
		if err := CheckRealtime(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckRealtime() = %v, want ErrInvalid saying %q", err, want)
		}
	}
}
