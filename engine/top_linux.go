package engine

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of the times in /proc/<pid>/stat: 100 on every
// architecture Linux supports today (sysconf(_SC_CLK_TCK) without cgo).
const clockTicks = 100

// Process is one process of a container as the host sees it (host PIDs), with what
// `ps -ef` prints about it.
type Process struct {
	PID, PPID int
	UID       int           // effective user ID, on the host
	TTY       uint64        // controlling terminal (tty_nr), 0 for none
	Started   time.Time     // start time
	CPUTime   time.Duration // user + system time used
	Cmd       []string      // the command line; for kernel threads or zombies, nil
	Comm      string        // the executable's name (ps prints [Comm] when Cmd is empty)
}

// Processes lists the processes in the container's cgroup (its init, its children and
// exec'd processes), sorted by PID. A container that is not running has none and
// returns ErrNotRunning; an unknown ID ErrNotFound. Processes that exit while they are
// read are left out.
func (e *Engine) Processes(id string) ([]Process, error) {
	st, err := e.State(id)
	if err != nil {
		return nil, err
	}
	if st.Status != StatusRunning && st.Status != StatusPaused {
		return nil, fmt.Errorf("processes of container %q: %w", id, ErrNotRunning)
	}
	pids, err := cgroupPids(e.cgroupParentOf(id), id)
	if err != nil {
		return nil, fmt.Errorf("processes of container %q: %w", id, err)
	}
	boot, err := bootTime()
	if err != nil {
		return nil, fmt.Errorf("processes of container %q: %w", id, err)
	}
	var out []Process
	for _, pid := range pids {
		p, err := readProcess(pid, boot)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("processes of container %q: %w", id, err)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out, nil
}

// cgroupPids reads cgroup.procs of the container's cgroup (the pids hierarchy on v1).
func cgroupPids(parent, id string) ([]int, error) {
	dirs := cgroupDirs(parent, id)
	dir, ok := dirs[""]
	if !ok {
		dir = dirs["pids"]
	}
	return readProcs(dir)
}

// bootTime is the btime line of /proc/stat.
func bootTime() (time.Time, error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return time.Time{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "btime "); ok {
			sec, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return time.Time{}, fmt.Errorf("/proc/stat: btime %q", v)
			}
			return time.Unix(sec, 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("/proc/stat: no btime line")
}

func readProcess(pid int, boot time.Time) (Process, error) {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return Process{}, err
	}
	p, err := parseStat(stat, boot)
	if err != nil {
		return Process{}, fmt.Errorf("%s/stat: %w", dir, err)
	}
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return Process{}, err
	}
	if p.UID, err = effectiveUID(status); err != nil {
		return Process{}, fmt.Errorf("%s/status: %w", dir, err)
	}
	cmdline, err := os.ReadFile(filepath.Join(dir, "cmdline"))
	if err != nil {
		return Process{}, err
	}
	if cmdline = bytes.TrimRight(cmdline, "\x00"); len(cmdline) > 0 {
		p.Cmd = strings.Split(string(cmdline), "\x00")
	}
	return p, nil
}

// parseStat reads pid, comm, ppid, tty_nr, utime, stime and starttime from the text of
// /proc/<pid>/stat. The command name is in parentheses and may itself hold spaces and
// parentheses: the fields resume after the last ')'.
func parseStat(b []byte, boot time.Time) (Process, error) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return Process{}, fmt.Errorf("malformed stat %q", b)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b[:open])))
	if err != nil {
		return Process{}, fmt.Errorf("malformed pid in stat %q", b)
	}
	// Fields after ")": 0 state, 1 ppid, ..., 4 tty_nr, ..., 11 utime, 12 stime, ..., 19 starttime.
	f := strings.Fields(string(b[end+1:]))
	if len(f) < 20 {
		return Process{}, fmt.Errorf("short stat %q", b)
	}
	var n [4]uint64
	for i, idx := range []int{4, 11, 12, 19} {
		if n[i], err = strconv.ParseUint(f[idx], 10, 64); err != nil {
			return Process{}, fmt.Errorf("field %d of stat %q: %w", idx+3, b, err)
		}
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return Process{}, fmt.Errorf("ppid of stat %q: %w", b, err)
	}
	tick := time.Second / clockTicks
	return Process{PID: pid, PPID: ppid, Comm: string(b[open+1 : end]), TTY: n[0],
		CPUTime: time.Duration(n[1]+n[2]) * tick, Started: boot.Add(time.Duration(n[3]) * tick)}, nil
}

// effectiveUID is the second field of the Uid: line of /proc/<pid>/status.
func effectiveUID(status []byte) (int, error) {
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "Uid:"); ok {
			if f := strings.Fields(v); len(f) >= 2 {
				return strconv.Atoi(f[1])
			}
		}
	}
	return 0, fmt.Errorf("no Uid line")
}
