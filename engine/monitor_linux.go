package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

const (
	stageEnv     = "_BERTH_ENGINE_STAGE"
	dirEnv       = "_BERTH_ENGINE_DIR"
	cgroupEnv    = "_BERTH_ENGINE_CGROUP"
	stageMonitor = "monitor"
	stageInit    = "init"
)

// MaybeRunInit runs the engine's re-executed stages (monitor, container init) when the
// process was started as one, and never returns in that case. Otherwise it returns at
// once. Call it first in main and in TestMain of packages whose tests start containers:
// in tests /proc/self/exe is the test binary.
func MaybeRunInit() {
	switch os.Getenv(stageEnv) {
	case stageMonitor:
		runMonitor(os.Getenv(dirEnv), os.Getenv(cgroupEnv))
	case stageInit:
		runtime.LockOSThread() // setns(net) and execve must happen on this one thread
		runInit()
	case stageExecPre:
		runExecPre()
	case stageExec:
		runtime.LockOSThread()
		runExec()
	}
}

// runMonitor is the per-container monitor: it starts init in new namespaces, puts it in
// the container's cgroups, releases it, reports exec success or the pre-exec error to
// the starter on fd 3, copies the container's output into the json log, waits, and writes
// the exit status into state.json. It never returns.
func runMonitor(dir, cgParent string) {
	report := os.NewFile(3, "report")
	fail := func(err error) {
		fmt.Fprintf(report, "error %s\n", oneLine(err.Error()))
		os.Exit(1)
	}
	var spec Spec
	if err := readJSON(filepath.Join(dir, "config.json"), &spec); err != nil {
		fail(fmt.Errorf("read config: %w", err))
	}
	cg, err := ensureCgroup(cgParent, spec.ID, spec.Resources, spec.Privileged)
	if err != nil {
		fail(err)
	}
	cmd, syncW, errR, outs, err := startInit(dir, &spec)
	if err != nil {
		removeCgroup(cgParent, spec.ID)
		fail(err)
	}
	if err := cg.add(cmd.Process.Pid); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		removeCgroup(cgParent, spec.ID)
		fail(err)
	}
	syncW.Write([]byte{0})
	syncW.Close()
	msg, _ := io.ReadAll(errR) // EOF without data: execve closed the pipe (O_CLOEXEC)
	if len(msg) > 0 {
		cmd.Wait()
		removeCgroup(cgParent, spec.ID)
		fail(fmt.Errorf("%s", msg))
	}
	st := State{ID: spec.ID, Status: StatusRunning, Pid: cmd.Process.Pid, MonitorPid: os.Getpid(), StartedAt: time.Now().UTC()}
	if err := writeJSON(filepath.Join(dir, "state.json"), &st); err != nil {
		cmd.Process.Kill()
		fail(err)
	}
	fmt.Fprintf(report, "ok %d\n", st.Pid)
	report.Close()
	logDone := copyLogs(dir, &spec, outs)
	<-logDone // before Wait, which closes the pipes; init's death closes the writers
	werr := cmd.Wait()
	st.Status, st.FinishedAt = StatusExited, time.Now().UTC()
	st.ExitCode, st.Signal = exitCode(cmd.ProcessState, werr)
	st.OOMKilled = cg.oomKilled()
	if st.OOMKilled && st.ExitCode == 0 {
		st.ExitCode = 137
	}
	writeJSON(filepath.Join(dir, "state.json"), &st)
	os.Exit(0)
}

func exitCode(ps *os.ProcessState, err error) (code, sig int) {
	if ps == nil {
		return 255, 0
	}
	ws := ps.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return 128 + int(ws.Signal()), int(ws.Signal())
	}
	return ws.ExitStatus(), 0
}

func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

// initConfig is what the monitor hands the init stage (as JSON on fd 5).
type initConfig struct {
	Spec   Spec
	Dir    string
	Rootfs string
}

// startInit starts the init stage in new namespaces with its pipes:
// fd 3 sync (read; monitor releases init), fd 4 error (write; O_CLOEXEC set by init),
// fd 5 config.
func startInit(dir string, spec *Spec) (*exec.Cmd, *os.File, *os.File, []io.ReadCloser, error) {
	syncR, syncW, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	cfgR, cfgW, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{"berth-init"}
	cmd.Env = []string{stageEnv + "=" + stageInit}
	cmd.ExtraFiles = []*os.File{syncR, errW, cfgR}
	flags := syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC
	if spec.NetNSPath == "" && !spec.HostNetwork {
		flags |= syscall.CLONE_NEWNET
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: uintptr(flags), Pdeathsig: 0}
	outs, err := initOutputs(cmd, spec.Tty)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("start init: %w", err)
	}
	if spec.Tty {
		cmd.Stdin.(*os.File).Close() // the slave: only the container holds it now
	}
	syncR.Close()
	errW.Close()
	cfgR.Close()
	go func() {
		json.NewEncoder(cfgW).Encode(initConfig{Spec: *spec, Dir: dir, Rootfs: filepath.Join(dir, "rootfs")})
		cfgW.Close()
	}()
	return cmd, syncW, errR, outs, nil
}

// initOutputs wires init's stdio: two pipes (stdout, stderr), or with tty one
// terminal whose master is the single output stream.
func initOutputs(cmd *exec.Cmd, tty bool) ([]io.ReadCloser, error) {
	if tty {
		m, s, err := openPTY()
		if err != nil {
			return nil, err
		}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
		cmd.SysProcAttr.Setsid, cmd.SysProcAttr.Setctty, cmd.SysProcAttr.Ctty = true, true, 0
		return []io.ReadCloser{m}, nil
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	return []io.ReadCloser{stdout, stderr}, nil
}
