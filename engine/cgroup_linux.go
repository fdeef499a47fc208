package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupRoot is where the cgroup hierarchies are mounted: the cgroup2 mount itself on
// a v2 host, the tmpfs holding one dir per v1 hierarchy on a v1 (or hybrid) host, as
// Docker decides. Tests point it at a cgroup2 mount to run v2 on a hybrid host.
var cgroupRoot = "/sys/fs/cgroup"

// v1Controllers are the v1 hierarchies a container gets a cgroup in (freezer: Pause),
// and v1Optional those it gets one in where the host mounts them (v1Hierarchies):
// cpuacct counts the CPU time Stats reports (often the same hierarchy as cpu, whose
// dir is then joined twice, harmlessly).
var (
	v1Controllers = []string{"memory", "cpu", "pids", "devices", "freezer"}
	v1Optional    = []string{"cpuset", "blkio", "cpuacct"}
)

// cgroup is one container's cgroup: a single dir on v2, one dir per controller on v1.
type cgroup struct {
	v2   bool
	dirs map[string]string // controller ("" on v2) -> dir
}

// unified reports whether cgroupRoot is the cgroup v2 hierarchy (detected each call:
// cheap, and tests may run on either layout).
func unified() bool {
	_, err := os.Stat(filepath.Join(cgroupRoot, "cgroup.controllers"))
	return err == nil
}

func cgroupDirs(parent, id string) map[string]string {
	if unified() {
		return map[string]string{"": filepath.Join(cgroupRoot, parent, id)}
	}
	dirs := map[string]string{}
	for _, c := range v1Hierarchies() {
		dirs[c] = filepath.Join(cgroupRoot, c, parent, id)
	}
	return dirs
}

// ensureCgroup creates the container's cgroup(s) under parent, writes the limits and
// restricts the devices (see restrictDevices), before any process joins.
func ensureCgroup(parent, id string, spec *Spec) (*cgroup, error) {
	cg := &cgroup{v2: unified(), dirs: cgroupDirs(parent, id)}
	devs, err := deviceRules(spec.Devices)
	if err != nil {
		return nil, err
	}
	allow, err := deviceAllowList(devs, spec.DeviceCgroupRules)
	if err != nil {
		return nil, err
	}
	if cg.v2 {
		if err := enableV2Parents(parent, spec.Resources); err != nil {
			return nil, err
		}
	}
	for _, d := range cg.dirs {
		if err := mkdirs(d, 0o755); err != nil {
			return nil, fmt.Errorf("cgroup %q: %w", d, err)
		}
	}
	if err := cg.inheritCpuset(); err != nil {
		removeCgroup(parent, id)
		return nil, err
	}
	if err := cg.setLimits(spec.Resources); err != nil {
		removeCgroup(parent, id)
		return nil, err
	}
	if err := cg.restrictDevices(spec.Privileged, allow); err != nil {
		removeCgroup(parent, id)
		return nil, err
	}
	return cg, nil
}

func (cg *cgroup) write(ctrl, file, val string) error {
	p := filepath.Join(cg.dirs[ctrl], file)
	if err := writeFile(p, []byte(val), 0); err != nil {
		return fmt.Errorf("cgroup write %s=%s: %w", p, val, err)
	}
	return nil
}

// kv is one cgroup file write: the controller (v1 hierarchy), the file on v1 and on
// v2 (empty: none there) and the value.
type kv struct {
	ctrl, v1, v2, val string
	optional          bool // skipped when the kernel lacks the file (no swap accounting)
}

func (cg *cgroup) setLimits(r Resources) error {
	var w []kv
	if r.Memory > 0 {
		w = append(w, kv{ctrl: "memory", v1: "memory.limit_in_bytes", v2: "memory.max", val: strconv.FormatInt(r.Memory, 10)})
		if cg.v2 {
			w = append(w, kv{ctrl: "memory", v2: "memory.swap.max", val: swapV2(r), optional: true})
		} else {
			w = append(w, kv{ctrl: "memory", v1: "memory.memsw.limit_in_bytes", val: swapV1(r), optional: true})
		}
	}
	if r.CPUs > 0 {
		quota := strconv.FormatInt(int64(r.CPUs*100000), 10)
		w = append(w, kv{ctrl: "cpu", v1: "cpu.cfs_period_us", val: "100000"}, kv{ctrl: "cpu", v1: "cpu.cfs_quota_us", v2: "cpu.max", val: quota})
		if cg.v2 {
			w[len(w)-1].val = quota + " 100000"
		}
	}
	if r.CPUShares > 0 {
		weight := 1 + ((r.CPUShares-2)*9999)/262142 // Docker's shares->weight conversion
		w = append(w, kv{ctrl: "cpu", v1: "cpu.shares", val: strconv.FormatInt(r.CPUShares, 10)})
		if cg.v2 {
			w[len(w)-1] = kv{ctrl: "cpu", v2: "cpu.weight", val: strconv.FormatInt(weight, 10)}
		}
	}
	if r.PidsLimit > 0 {
		w = append(w, kv{ctrl: "pids", v1: "pids.max", v2: "pids.max", val: strconv.FormatInt(r.PidsLimit, 10)})
	}
	more, err := cg.moreLimits(r)
	if err != nil {
		return err
	}
	for _, x := range append(w, more...) {
		file, ctrl := x.v1, x.ctrl
		if cg.v2 {
			file, ctrl = x.v2, ""
		}
		if file == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(cg.dirs[ctrl], file)); x.optional && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := cg.write(ctrl, file, x.val); err != nil {
			return err
		}
	}
	return nil
}

// swapV1 is memory.memsw.limit_in_bytes (memory+swap) by Docker's rules: MemorySwap
// when set, -1 unlimited, and twice the memory limit when unset.
func swapV1(r Resources) string {
	switch {
	case r.MemorySwap == -1:
		return "-1"
	case r.MemorySwap > 0:
		return strconv.FormatInt(r.MemorySwap, 10)
	}
	return strconv.FormatInt(2*r.Memory, 10)
}

// swapV2 is memory.swap.max (swap alone): the same rules as swapV1 minus the memory.
func swapV2(r Resources) string {
	switch {
	case r.MemorySwap == -1:
		return "max"
	case r.MemorySwap > 0:
		return strconv.FormatInt(r.MemorySwap-r.Memory, 10)
	}
	return strconv.FormatInt(r.Memory, 10)
}

// restrictDevices applies the device allow-list (everything when privileged): on v1
// in the devices controller (deny all, then allow each rule), on v2 as a BPF program
// attached to the cgroup (devfilter_linux.go).
func (cg *cgroup) restrictDevices(privileged bool, allow []DeviceRule) error {
	if privileged {
		return nil
	}
	if cg.v2 {
		return attachDeviceFilter(cg.dirs[""], allow)
	}
	if err := cg.write("devices", "devices.deny", "a"); err != nil {
		return err
	}
	rules := make([]string, len(allow))
	for i, r := range allow {
		rules[i] = r.String()
	}
	if err := writeValues(filepath.Join(cg.dirs["devices"], "devices.allow"), rules); err != nil {
		return fmt.Errorf("cgroup devices: %w", err)
	}
	return nil
}

// oomCounter names the file and line prefix of the cgroup's OOM-kill counter, as
// "file:prefix", for the shim, which reads it once the container has exited.
func (cg *cgroup) oomCounter() string {
	if cg.v2 {
		return filepath.Join(cg.dirs[""], "memory.events") + ":oom_kill "
	}
	return filepath.Join(cg.dirs["memory"], "memory.oom_control") + ":oom_kill "
}

// removeCgroup removes the container's cgroup dirs; missing dirs are success. It retries
// briefly while the kernel still counts exiting tasks (EBUSY), and kills the processes
// still in the cgroup: a start interrupted by a kill -9 of the starting process leaves
// an init that never reached the running state, which Stop does not know of.
func removeCgroup(parent, id string) error {
	for _, d := range cgroupDirs(parent, id) {
		var err error
		for i := 0; i < 200; i++ { // rmdir alone: os.Remove tries unlink first, in vain
			if err = unix.Rmdir(d); err == nil || err == unix.ENOENT {
				err = nil
				break
			}
			killCgroupProcs(d)
			time.Sleep(5 * time.Millisecond)
		}
		if err != nil {
			return fmt.Errorf("remove cgroup %q: %w", d, err)
		}
	}
	return nil
}

// RemoveCgroupParent removes the (empty) parent cgroup dirs; missing dirs are success.
// It fails if containers still have cgroups under it.
func RemoveCgroupParent(parent string) error {
	dirs := []string{filepath.Join(cgroupRoot, parent)}
	if !unified() {
		dirs = dirs[:0]
		for _, c := range v1Hierarchies() {
			dirs = append(dirs, filepath.Join(cgroupRoot, c, parent))
		}
	}
	for _, d := range dirs {
		if err := os.Remove(d); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove cgroup %q: %w", d, err)
		}
	}
	return nil
}

// killCgroupProcs sends SIGKILL to every process listed in the cgroup dir d.
func killCgroupProcs(d string) {
	pids, _ := readProcs(d)
	for _, pid := range pids {
		if pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// readProcs returns the PIDs listed in cgroup.procs of the cgroup dir d.
func readProcs(d string) ([]int, error) {
	b, err := os.ReadFile(filepath.Join(d, "cgroup.procs"))
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%s/cgroup.procs: bad pid %q", d, f)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}
