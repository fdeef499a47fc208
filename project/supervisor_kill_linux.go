package project

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// killStraySupervisors sends SIGKILL to every supervisor of project name under this
// root that is not answering yet: one an up started just before a kill -9 may still be
// starting (it writes no pid file until it listens) when Down asks for a shutdown, and
// would then live on after Down. Processes are told apart by their command line
// ("_supervise NAME") and their BERTH_ROOT.
func (c Config) killStraySupervisors(name string) {
	pids, _ := readProcPids()
	want := []byte(SupervisorCommand + "\x00" + name + "\x00")
	root := []byte(EnvRoot + "=" + c.Root + "\x00")
	for _, pid := range pids {
		dir := "/proc/" + strconv.Itoa(pid)
		cmdline, err := os.ReadFile(dir + "/cmdline")
		if err != nil || !bytes.Contains(cmdline, want) {
			continue
		}
		env, err := os.ReadFile(dir + "/environ")
		if err != nil || !bytes.Contains(append([]byte{0}, env...), append([]byte{0}, root...)) {
			continue
		}
		if pid != os.Getpid() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// readProcPids lists the processes in /proc by reading the directory once (a
// filepath.Glob of /proc/[0-9]*/cmdline would also read every process's directory:
// 40% of a 10-service down's CPU).
func readProcPids() ([]int, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids, err
}
