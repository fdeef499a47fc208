package engine

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// warmWanted is when a caller last asked for warm migrations (UnixNano); warming
// tells whether the warming goroutine runs.
var (
	warmWanted atomic.Int64
	warming    atomic.Bool
)

// warmPeriod is how often the warming goroutine migrates: within an RCU grace period
// (8-16 ms with HZ=250), so the kernel never goes back to its slow first migration;
// warmFor is how long it goes on after the last warmMigrations.
const (
	warmPeriod = 3 * time.Millisecond
	warmFor    = 50 * time.Millisecond
)

// warmMigrations makes the kernel's next cgroup migrations cheap, in the background,
// for the next warmFor.
//
// Moving a process into a cgroup (the shim's write of PID 1 to cgroup.procs) takes a
// global per-CPU rwsem for writing (cgroup_threadgroup_rwsem, one for every hierarchy,
// v1 and v2). After a quiet spell its first writer waits out a whole RCU grace period
// before it gets it (rcu_sync_enter: 5-16 ms of wall time here, half of a one-off
// container's start), holding the global cgroup_mutex meanwhile; writers within about
// a grace period of the previous one do not wait. So a goroutine migrates this process
// into the cgroup it already is in (a no-op) at once and then every warmPeriod: the
// first wait is paid while the caller does other work, and the containers' own
// migrations find the kernel ready. Only Prewarm (a process about to start containers)
// calls it: a process starting containers one after another keeps the kernel ready by
// itself, and an exec joins its cgroups too soon after it is asked for to gain (the
// supervisor's healthchecks would only pay for the warming). Best effort: a write
// refused (a read-only cgroupfs in a container) costs nothing but the speed-up. It
// returns at once.
func warmMigrations() {
	warmWanted.Store(time.Now().UnixNano())
	if !warming.CompareAndSwap(false, true) {
		return
	}
	root, v2 := cgroupRoot, unified() // read here: tests change cgroupRoot
	go func() {
		defer warming.Store(false)
		f, err := migrateSelf(root, v2) // finds the file, then writes only it
		pid := []byte(strconv.Itoa(os.Getpid()))
		for err == nil && time.Since(time.Unix(0, warmWanted.Load())) < warmFor {
			time.Sleep(warmPeriod)
			err = os.WriteFile(f, pid, 0)
		}
	}()
}

// migrateSelf writes this process's PID to cgroup.procs of the cgroup it is in, in
// the first hierarchy under root (v2: the cgroup2 mount) where that works, and returns
// the file written or the last error.
func migrateSelf(root string, v2 bool) (string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	pid := strconv.Itoa(os.Getpid())
	var last error = os.ErrNotExist
	for _, f := range ownProcsFiles(b, root, v2) {
		if last = os.WriteFile(f, []byte(pid), 0); last == nil {
			return f, nil
		}
	}
	return "", last
}

// ownProcsFiles maps /proc/self/cgroup's lines to the cgroup.procs files of those
// cgroups under root: the "0::" line on a v2 host, the v1 hierarchies' lines (their
// mount dir is named after their controllers) on a v1 or hybrid one.
func ownProcsFiles(procCgroup []byte, root string, v2 bool) []string {
	var files []string
	sc := bufio.NewScanner(bytes.NewReader(procCgroup))
	for sc.Scan() {
		id, rest, ok := strings.Cut(sc.Text(), ":")
		ctrls, path, ok2 := strings.Cut(rest, ":")
		if !ok || !ok2 || !strings.HasPrefix(path, "/") {
			continue
		}
		switch {
		case v2 && id == "0" && ctrls == "":
			files = append(files, filepath.Join(root, path, "cgroup.procs"))
		case !v2 && ctrls != "":
			files = append(files, filepath.Join(root, strings.TrimPrefix(ctrls, "name="), path, "cgroup.procs"))
		}
	}
	return files
}
