package engine

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Stats is one sample of a container's resource usage, what Docker's stats API
// reports and `docker stats` prints. CPU percentages come from two samples:
// (CPU2-CPU1) / (System2-System1) * OnlineCPUs.
type Stats struct {
	Read       time.Time
	CPU        uint64 // nanoseconds of CPU time the container's cgroup used
	System     uint64 // nanoseconds of CPU time of the host, all CPUs (/proc/stat)
	OnlineCPUs int
	// Memory is the usage without the inactive file cache, as Docker prints it;
	// MemoryLimit the cgroup's limit, the host's memory when it has none (or more).
	Memory, MemoryLimit   uint64
	NetRx, NetTx          uint64 // bytes over the interfaces of its network namespace but lo
	BlockRead, BlockWrite uint64 // bytes, from blkio (v1) or io.stat (v2)
	PIDs                  uint64
}

// Stats samples the resource usage of a running (or paused) container from its
// cgroups, v1 or v2 as the host has them, and the counters of its network namespace.
// A container that is not running returns ErrNotRunning, an unknown ID ErrNotFound.
// What a controller the container's cgroup lacks counts is zero (readStatFile).
func (e *Engine) Stats(id string) (Stats, error) {
	st, err := e.State(id)
	if err != nil {
		return Stats{}, err
	}
	if st.Status != StatusRunning && st.Status != StatusPaused {
		return Stats{}, fmt.Errorf("stats of container %q: %w", id, ErrNotRunning)
	}
	s := Stats{Read: time.Now()}
	dirs := cgroupDirs(e.cgroupParentOf(id), id)
	if err := readCgroupStats(&s, dirs); err != nil {
		return Stats{}, fmt.Errorf("stats of container %q: %w", id, err)
	}
	if s.System, s.OnlineCPUs, err = systemCPU(); err != nil {
		return Stats{}, fmt.Errorf("stats of container %q: %w", id, err)
	}
	if host, err := hostMemory(); err == nil && (s.MemoryLimit == 0 || s.MemoryLimit > host) {
		s.MemoryLimit = host
	}
	if spec, err := e.Spec(id); err == nil && !spec.HostNetwork {
		s.NetRx, s.NetTx, err = netCounters(filepath.Join("/proc", strconv.Itoa(st.Pid), "net", "dev"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) { // gone: it exited meanwhile
			return Stats{}, fmt.Errorf("stats of container %q: %w", id, err)
		}
	}
	return s, nil
}

// readCgroupStats fills CPU, memory, block I/O and PIDs from the cgroup dirs (one, ""
// on v2; one per hierarchy on v1).
func readCgroupStats(s *Stats, dirs map[string]string) error {
	if d, ok := dirs[""]; ok {
		return readV2Stats(s, d)
	}
	return readV1Stats(s, dirs)
}

func readV2Stats(s *Stats, dir string) error {
	cpu, err := readKeyed(filepath.Join(dir, "cpu.stat"))
	if err != nil {
		return err
	}
	s.CPU = cpu["usage_usec"] * 1000
	mem, err := readKeyed(filepath.Join(dir, "memory.stat"))
	errs := []error{err}
	s.Memory, err = readUint(filepath.Join(dir, "memory.current"))
	errs = append(errs, err)
	s.Memory = withoutCache(s.Memory, mem["inactive_file"])
	s.MemoryLimit, err = readUint(filepath.Join(dir, "memory.max"))
	errs = append(errs, err)
	s.PIDs, err = readUint(filepath.Join(dir, "pids.current"))
	errs = append(errs, err)
	s.BlockRead, s.BlockWrite, err = ioStatV2(filepath.Join(dir, "io.stat"))
	return errors.Join(append(errs, err)...)
}

func readV1Stats(s *Stats, dirs map[string]string) error {
	var errs [6]error
	s.CPU, errs[0] = readUint(filepath.Join(dirs["cpuacct"], "cpuacct.usage"))
	mem, err := readKeyed(filepath.Join(dirs["memory"], "memory.stat"))
	errs[1] = err
	s.Memory, errs[2] = readUint(filepath.Join(dirs["memory"], "memory.usage_in_bytes"))
	s.Memory = withoutCache(s.Memory, mem["total_inactive_file"])
	s.MemoryLimit, errs[3] = readUint(filepath.Join(dirs["memory"], "memory.limit_in_bytes"))
	s.PIDs, errs[4] = readUint(filepath.Join(dirs["pids"], "pids.current"))
	s.BlockRead, s.BlockWrite, errs[5] = blkioV1(filepath.Join(dirs["blkio"], "blkio.throttle.io_service_bytes_recursive"))
	return errors.Join(errs[:]...)
}

// withoutCache is Docker's memory usage: usage minus the inactive file cache.
func withoutCache(usage, inactive uint64) uint64 {
	if inactive < usage {
		return usage - inactive
	}
	return usage
}

// readStatFile reads a cgroup file. One that does not exist, of a controller the
// cgroup lacks (a v1 hierarchy the host does not mount, a v2 controller not enabled
// for it: on a hybrid host memory and pids stay with v1) or a relative path (of a hierarchy without a dir), is
// empty: what it counts is reported as zero, as runc's stats skip missing controllers.
func readStatFile(path string) ([]byte, error) {
	if !filepath.IsAbs(path) {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// readUint reads a cgroup file holding one number; "max" (v2, no limit) and an empty
// or missing file are 0.
func readUint(path string) (uint64, error) {
	b, err := readStatFile(path)
	if err != nil || len(b) == 0 {
		return 0, err
	}
	v := strings.TrimSpace(string(b))
	if v == "max" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// readKeyed reads a flat keyed cgroup file ("key value" lines: memory.stat, cpu.stat).
func readKeyed(path string) (map[string]uint64, error) {
	b, err := readStatFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]uint64{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, " "); ok {
			if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err == nil {
				out[k] = n
			}
		}
	}
	return out, nil
}

// blkioV1 sums the Read and Write lines ("8:0 Read 4096") of a v1 blkio file.
func blkioV1(path string) (read, write uint64, err error) {
	b, err := readStatFile(path)
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		n, _ := strconv.ParseUint(f[2], 10, 64)
		switch f[1] {
		case "Read":
			read += n
		case "Write":
			write += n
		}
	}
	return read, write, nil
}

// ioStatV2 sums rbytes and wbytes over the devices of a v2 io.stat
// ("8:0 rbytes=4096 wbytes=0 rios=1 ...").
func ioStatV2(path string) (read, write uint64, err error) {
	b, err := readStatFile(path)
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		for _, kv := range strings.Fields(line) {
			k, v, _ := strings.Cut(kv, "=")
			n, _ := strconv.ParseUint(v, 10, 64)
			switch k {
			case "rbytes":
				read += n
			case "wbytes":
				write += n
			}
		}
	}
	return read, write, nil
}

// systemCPU is the host's CPU time in nanoseconds, the sum of the first seven fields of
// /proc/stat's cpu line (user to softirq, as Docker), and the number of CPUs listed.
func systemCPU() (uint64, int, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	return parseProcStat(b)
}

func parseProcStat(b []byte) (uint64, int, error) {
	var total uint64
	cpus, found := 0, false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) > 7 && f[0] == "cpu":
			found = true
			for _, v := range f[1:8] {
				n, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					return 0, 0, fmt.Errorf("/proc/stat: bad cpu line: %w", err)
				}
				total += n
			}
		case len(f) > 0 && strings.HasPrefix(f[0], "cpu"):
			cpus++
		}
	}
	if !found {
		return 0, 0, errors.New("/proc/stat: no cpu line")
	}
	return total * uint64(time.Second/clockTicks), cpus, nil
}

// hostMemory is MemTotal of /proc/meminfo, in bytes.
func hostMemory() (uint64, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("/proc/meminfo: no MemTotal")
}

// netCounters sums received and sent bytes over the interfaces of a /proc/<pid>/net/dev
// (the network namespace of that process), leaving out lo, as Docker counts the
// container's endpoints only.
func netCounters(path string) (rx, tx uint64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	return parseNetDev(b)
}

func parseNetDev(b []byte) (rx, tx uint64, err error) {
	for _, line := range strings.Split(string(b), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "lo" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 9 {
			continue // the header lines
		}
		r, err1 := strconv.ParseUint(f[0], 10, 64)
		t, err2 := strconv.ParseUint(f[8], 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return 0, 0, fmt.Errorf("net/dev: interface %s: %w", strings.TrimSpace(name), err)
		}
		rx, tx = rx+r, tx+t
	}
	return rx, tx, nil
}
