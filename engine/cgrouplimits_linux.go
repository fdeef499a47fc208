package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// This file holds the limits beyond memory, CPU quota and shares and pids: cpusets,
// realtime CPU time, the memory reservation, swappiness and OOM killer, block IO.

// v1Hierarchies are the v1 hierarchies a container gets a cgroup in: v1Controllers,
// and those of v1Optional the host mounts.
func v1Hierarchies() []string {
	out := append([]string{}, v1Controllers...)
	for _, c := range v1Optional {
		if _, err := os.Stat(filepath.Join(cgroupRoot, c, "cgroup.procs")); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// enableV2Parents makes the parent cgroup (each level of it) and enables the
// controllers its children need in each level's subtree_control.
func enableV2Parents(parent string, r Resources) error {
	dir := cgroupRoot
	for _, c := range strings.Split(filepath.Clean(parent), "/") {
		if c == "" || c == "." {
			continue
		}
		dir = filepath.Join(dir, c)
		if err := mkdirs(dir, 0o755); err != nil {
			return fmt.Errorf("cgroup %q: %w", parent, err)
		}
		ctl := filepath.Join(dir, "cgroup.subtree_control")
		writeFile(ctl, []byte("+memory +cpu +pids"), 0)
		enableV2Controllers(ctl, r)
	}
	return nil
}

// enableV2Controllers enables, in the parent's subtree_control ctl, the cpuset and io
// controllers when r needs them: each on its own, as a host may lack either.
func enableV2Controllers(ctl string, r Resources) {
	if r.CpusetCpus != "" || r.CpusetMems != "" {
		writeFile(ctl, []byte("+cpuset"), 0)
	}
	if r.Blkio.any() {
		writeFile(ctl, []byte("+io"), 0)
	}
}

func (b *Blkio) any() bool {
	return b.Weight != 0 || len(b.WeightDevice)+len(b.ReadBps)+len(b.WriteBps)+len(b.ReadIOps)+len(b.WriteIOps) > 0
}

// inheritCpuset fills, on v1, the empty cpuset.cpus and cpuset.mems of the container's
// cpuset cgroup and of the parents made for it, from the level above: a v1 cpuset
// cgroup is made empty and takes no process until both are set.
func (cg *cgroup) inheritCpuset() error {
	dir, ok := cg.dirs["cpuset"]
	if cg.v2 || !ok {
		return nil
	}
	root := filepath.Join(cgroupRoot, "cpuset")
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return fmt.Errorf("cgroup %q: %w", dir, err)
	}
	at := root
	for _, c := range strings.Split(rel, "/") {
		parent := at
		at = filepath.Join(at, c)
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			if err := inheritFile(parent, at, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// inheritFile copies the file of the cgroup dir parent into child's when child's is
// empty.
func inheritFile(parent, child, file string) error {
	b, err := os.ReadFile(filepath.Join(child, file))
	if err != nil {
		return fmt.Errorf("cgroup read %s: %w", filepath.Join(child, file), err)
	}
	if strings.TrimSpace(string(b)) != "" {
		return nil
	}
	if b, err = os.ReadFile(filepath.Join(parent, file)); err != nil {
		return fmt.Errorf("cgroup read %s: %w", filepath.Join(parent, file), err)
	}
	p := filepath.Join(child, file)
	if err := writeFile(p, []byte(strings.TrimSpace(string(b))), 0); err != nil {
		return fmt.Errorf("cgroup write %s: %w", p, err)
	}
	return nil
}

// moreLimits are the writes of cpusets, realtime time, memory reservation, swappiness,
// the OOM killer and block IO. Realtime time needs v1's cpu.rt_* files (an error
// otherwise) and a budget in the parents, which it gives them (ensureRTBudget).
func (cg *cgroup) moreLimits(r Resources) ([]kv, error) {
	var w []kv
	if r.CpusetCpus != "" {
		w = append(w, kv{ctrl: "cpuset", v1: "cpuset.cpus", v2: "cpuset.cpus", val: r.CpusetCpus, optional: true})
	}
	if r.CpusetMems != "" {
		w = append(w, kv{ctrl: "cpuset", v1: "cpuset.mems", v2: "cpuset.mems", val: r.CpusetMems, optional: true})
	}
	if r.CPURealtimeRuntime > 0 || r.CPURealtimePeriod > 0 {
		if err := cg.ensureRTBudget(r); err != nil {
			return nil, err
		}
		if r.CPURealtimePeriod > 0 {
			w = append(w, kv{ctrl: "cpu", v1: "cpu.rt_period_us", val: strconv.FormatInt(r.CPURealtimePeriod, 10)})
		}
		if r.CPURealtimeRuntime > 0 {
			w = append(w, kv{ctrl: "cpu", v1: "cpu.rt_runtime_us", val: strconv.FormatInt(r.CPURealtimeRuntime, 10)})
		}
	}
	if r.MemoryReservation > 0 {
		w = append(w, kv{ctrl: "memory", v1: "memory.soft_limit_in_bytes", v2: "memory.low", val: strconv.FormatInt(r.MemoryReservation, 10)})
	}
	if r.MemorySwappiness != nil {
		w = append(w, kv{ctrl: "memory", v1: "memory.swappiness", val: strconv.FormatInt(*r.MemorySwappiness, 10), optional: true})
	}
	if r.OOMKillDisable {
		w = append(w, kv{ctrl: "memory", v1: "memory.oom_control", val: "1", optional: true})
	}
	io, err := cg.blkioWrites(r.Blkio)
	return append(w, io...), err
}

// rtFiles are the v1 realtime files; a kernel without CONFIG_RT_GROUP_SCHED has none.
const rtRuntime, rtPeriod = "cpu.rt_runtime_us", "cpu.rt_period_us"

// ensureRTBudget gives the parents of the container's cpu cgroup the realtime time it
// asks for: a cgroup's runtime/period may not exceed what its parent has left. Each
// parent gets what its children already hold plus the request, from the top down; the
// kernel refuses what the root cannot give.
func (cg *cgroup) ensureRTBudget(r Resources) error {
	dir := cg.dirs["cpu"]
	if cg.v2 {
		return errRealtimeV2
	}
	if err := CheckRealtime(); err != nil {
		return err
	}
	period := r.CPURealtimePeriod
	if period == 0 {
		period = readInt(filepath.Join(dir, rtPeriod))
	}
	if r.CPURealtimeRuntime == 0 || period <= 0 {
		return nil
	}
	return ensureRT(filepath.Dir(dir), filepath.Base(dir), float64(r.CPURealtimeRuntime)/float64(period))
}

// ensureRT makes the cgroup dir's realtime share (runtime/period) hold its children's
// but child's, plus share; the root is the kernel's to set.
func ensureRT(dir, child string, share float64) error {
	root := filepath.Join(cgroupRoot, "cpu")
	if dir == root || !strings.HasPrefix(dir, root+"/") {
		return nil
	}
	names, err := readDirNames(dir)
	if err != nil {
		return fmt.Errorf("cgroup %q: %w", dir, err)
	}
	need := share
	for _, n := range names {
		if n == child {
			continue
		}
		sub := filepath.Join(dir, n)
		if rt := readInt(filepath.Join(sub, rtRuntime)); rt > 0 {
			need += float64(rt) / float64(readInt(filepath.Join(sub, rtPeriod)))
		}
	}
	period := readInt(filepath.Join(dir, rtPeriod))
	runtime := int64(need*float64(period) + 0.5)
	if readInt(filepath.Join(dir, rtRuntime)) >= runtime {
		return nil
	}
	if err := ensureRT(filepath.Dir(dir), filepath.Base(dir), need); err != nil {
		return err
	}
	p := filepath.Join(dir, rtRuntime)
	if err := writeFile(p, []byte(strconv.FormatInt(runtime, 10)), 0); err != nil {
		return fmt.Errorf("cgroup write %s=%d (realtime time for the containers under it): %w", p, runtime, err)
	}
	return nil
}

var errRealtimeV2 = fmt.Errorf("realtime CPU time needs cgroup v1: cgroup v2 has no realtime group scheduling: %w", ErrInvalid)

// CheckRealtime reports whether this host can give containers realtime CPU time
// (Resources.CPURealtimeRuntime): nil with cgroup v1's cpu.rt_* files, else an error
// (ErrInvalid) that says why: cgroup v2 has no realtime group scheduling, and a v1
// kernel without CONFIG_RT_GROUP_SCHED none either.
func CheckRealtime() error {
	if unified() {
		return errRealtimeV2
	}
	if _, err := os.Stat(filepath.Join(cgroupRoot, "cpu", rtRuntime)); err != nil {
		return fmt.Errorf("realtime CPU time: the kernel has no realtime group scheduling (CONFIG_RT_GROUP_SCHED): %w", ErrInvalid)
	}
	return nil
}

// readInt reads a cgroup file holding one integer; 0 when it cannot.
func readInt(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// blkioWrites are the block IO writes, one per device and file: v1's blkio.weight,
// blkio.weight_device and blkio.throttle.*_device ("major:minor value"), or BFQ's
// blkio.bfq.* where the kernel has those instead; v2's io.weight (or io.bfq.weight,
// with the weight converted as runc does) and io.max ("major:minor rbps=N ...").
// Weights are skipped where the kernel has no weight file (no proportional IO
// scheduler), as Docker discards them; see Resources.Unapplied.
func (cg *cgroup) blkioWrites(b Blkio) ([]kv, error) {
	if !b.any() {
		return nil, nil
	}
	if cg.v2 {
		return cg.ioWritesV2(b)
	}
	weight, weightDev := "blkio.weight", "blkio.weight_device"
	if !cg.has("blkio", weight) && cg.has("blkio", "blkio.bfq.weight") {
		weight, weightDev = "blkio.bfq.weight", "blkio.bfq.weight_device"
	}
	var w []kv
	if b.Weight > 0 {
		w = append(w, kv{ctrl: "blkio", v1: weight, val: strconv.Itoa(int(b.Weight)), optional: true})
	}
	for _, d := range b.WeightDevice {
		dev, err := blockDevice(d.Path)
		if err != nil {
			return nil, err
		}
		w = append(w, kv{ctrl: "blkio", v1: weightDev, val: fmt.Sprintf("%s %d", dev, d.Weight), optional: true})
	}
	for _, t := range []struct {
		file string
		devs []ThrottleDevice
	}{{"read_bps_device", b.ReadBps}, {"write_bps_device", b.WriteBps}, {"read_iops_device", b.ReadIOps}, {"write_iops_device", b.WriteIOps}} {
		for _, d := range t.devs {
			dev, err := blockDevice(d.Path)
			if err != nil {
				return nil, err
			}
			w = append(w, kv{ctrl: "blkio", v1: "blkio.throttle." + t.file, val: fmt.Sprintf("%s %d", dev, d.Rate), optional: true})
		}
	}
	return w, nil
}

// ioWritesV2 is blkioWrites on cgroup v2.
func (cg *cgroup) ioWritesV2(b Blkio) ([]kv, error) {
	var w []kv
	weight := func(dev string, v uint16) kv {
		if cg.has("", "io.bfq.weight") {
			return kv{v2: "io.bfq.weight", val: strings.TrimSpace(dev + " " + strconv.Itoa(int(v))), optional: true}
		}
		return kv{v2: "io.weight", val: dev + " " + strconv.Itoa(1+(int(v)-10)*9999/990), optional: true}
	}
	if b.Weight > 0 {
		kw := weight("", b.Weight)
		if kw.v2 == "io.weight" {
			kw.val = "default" + kw.val
		}
		w = append(w, kw)
	}
	for _, d := range b.WeightDevice {
		dev, err := blockDevice(d.Path)
		if err != nil {
			return nil, err
		}
		w = append(w, weight(dev, d.Weight))
	}
	max := map[string][]string{}
	var order []string
	for _, t := range []struct {
		key  string
		devs []ThrottleDevice
	}{{"rbps", b.ReadBps}, {"wbps", b.WriteBps}, {"riops", b.ReadIOps}, {"wiops", b.WriteIOps}} {
		for _, d := range t.devs {
			dev, err := blockDevice(d.Path)
			if err != nil {
				return nil, err
			}
			if _, ok := max[dev]; !ok {
				order = append(order, dev)
			}
			max[dev] = append(max[dev], fmt.Sprintf("%s=%d", t.key, d.Rate))
		}
	}
	for _, dev := range order {
		w = append(w, kv{v2: "io.max", val: dev + " " + strings.Join(max[dev], " "), optional: true})
	}
	return w, nil
}

// has reports whether the container's cgroup of ctrl ("" on v2) has file.
func (cg *cgroup) has(ctrl, file string) bool {
	_, err := os.Stat(filepath.Join(cg.dirs[ctrl], file))
	return err == nil
}

// blockDevice is "major:minor" of the block device node path on the host.
func blockDevice(path string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", fmt.Errorf("blkio device %q: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return "", fmt.Errorf("blkio device %q: not a block device: %w", path, ErrInvalid)
	}
	return fmt.Sprintf("%d:%d", unix.Major(uint64(st.Rdev)), unix.Minor(uint64(st.Rdev))), nil
}

// Unapplied names the settings of r that this host's cgroups cannot apply and that
// Start therefore leaves out, as Docker discards them with a warning: MemorySwappiness
// and OOMKillDisable without their v1 files (cgroup v2), CpusetCpus/CpusetMems without
// a cpuset controller, Blkio without a block IO controller, and Blkio.Weight and
// Blkio.WeightDevice without a proportional IO scheduler's weight file. The names are
// the fields' (Blkio ones as "Blkio.Weight"). It reads the host's cgroup roots.
func (r Resources) Unapplied() []string {
	var out []string
	v2 := unified()
	has := func(ctrl, file string) bool {
		if v2 {
			ctrl = ""
		}
		_, err := os.Stat(filepath.Join(cgroupRoot, ctrl, file))
		return err == nil
	}
	ctrls := ""
	if v2 {
		b, _ := os.ReadFile(filepath.Join(cgroupRoot, "cgroup.controllers"))
		ctrls = " " + string(b) + " "
	}
	if (r.CpusetCpus != "" || r.CpusetMems != "") && (v2 && !strings.Contains(ctrls, " cpuset ") || !v2 && !has("cpuset", "cpuset.cpus")) {
		out = append(out, "CpusetCpus")
	}
	if r.MemorySwappiness != nil && (v2 || !has("memory", "memory.swappiness")) {
		out = append(out, "MemorySwappiness")
	}
	if r.OOMKillDisable && (v2 || !has("memory", "memory.oom_control")) {
		out = append(out, "OOMKillDisable")
	}
	out = append(out, r.Blkio.unapplied(v2, ctrls)...)
	return out
}

func (b Blkio) unapplied(v2 bool, ctrls string) []string {
	if !b.any() {
		return nil
	}
	if v2 && !strings.Contains(ctrls, " io ") || !v2 && !exists(filepath.Join(cgroupRoot, "blkio", "cgroup.procs")) {
		return []string{"Blkio"}
	}
	if b.Weight == 0 && len(b.WeightDevice) == 0 {
		return nil
	}
	// A weight file exists only with a proportional scheduler (BFQ, CFQ on old kernels).
	for _, f := range []string{"blkio/blkio.weight", "blkio/blkio.bfq.weight", "io.weight", "io.bfq.weight"} {
		if exists(filepath.Join(cgroupRoot, f)) {
			return nil
		}
	}
	// The root has no io.weight on v2: a child of it tells (the engine's parent, or
	// any).
	if v2 && childHasWeight(cgroupRoot) {
		return nil
	}
	return []string{"Blkio.Weight"}
}

// childHasWeight reports whether some cgroup right under root has an io weight file.
func childHasWeight(root string) bool {
	names, _ := readDirNames(root)
	for _, n := range names {
		if exists(filepath.Join(root, n, "io.weight")) || exists(filepath.Join(root, n, "io.bfq.weight")) {
			return true
		}
	}
	return false
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}
