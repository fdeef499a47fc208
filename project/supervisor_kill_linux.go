package project

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// killStraySupervisors sends SIGKILL to every supervisor of project name under this
// root that is not answering yet: one an up started just before a kill -9 may still be
// starting (it writes no pid file until it listens) when Down asks for a shutdown, and
// would then live on after Down. Processes are told apart by their command line
// ("_supervise NAME") and their BERTH_ROOT.
func (c Config) killStraySupervisors(name string) {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	want := []byte(SupervisorCommand + "\x00" + name + "\x00")
	root := []byte(EnvRoot + "=" + c.Root + "\x00")
	for _, p := range procs {
		cmdline, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(cmdline, want) {
			continue
		}
		env, err := os.ReadFile(filepath.Join(filepath.Dir(p), "environ"))
		if err != nil || !bytes.Contains(append([]byte{0}, env...), append([]byte{0}, root...)) {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil && pid != os.Getpid() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
