package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	b, err := readFile(filepath.Join(child, file))
	if err != nil {
		return fmt.Errorf("cgroup read %s: %w", filepath.Join(child, file), err)
	}
	if strings.TrimSpace(string(b)) != "" {
		return nil
	}
	if b, err = readFile(filepath.Join(parent, file)); err != nil {
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

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}
