package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
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
// without the embedded stage binary (build tag berth_stage) the stages re-execute the
// running binary, in tests the test binary. The stage binary (./engine/stagebin) is a
// main that calls nothing else.
func MaybeRunInit() {
	switch os.Getenv(stageEnv) {
	case stageMonitor:
		// The main goroutine keeps the main thread, so a goroutine that locks and
		// taints a thread (launchInit) never gets it: its thread then exits with it
		// instead of being parked forever in the container's cgroups.
		runtime.LockOSThread()
		runMonitor(os.Getenv(dirEnv), os.Getenv(cgroupEnv))
	case stageInit:
		runtime.LockOSThread() // setns(net) and execve must happen on this one thread
		runInit()
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
	err := readJSON(filepath.Join(dir, "config.json"), &spec)
	if err != nil {
		fail(fmt.Errorf("read config: %w", err))
	}
	var stdinLn *stdinListener
	if spec.OpenStdin {
		// Listening before init starts: the starter may attach as soon as Start returns.
		if stdinLn, err = listenStdin(dir); err != nil {
			removeCgroup(cgParent, spec.ID)
			fail(err)
		}
	}
	cg, p, err := launchInit(dir, cgParent, &spec)
	if err != nil {
		removeCgroup(cgParent, spec.ID)
		fail(err)
	}
	cmd := p.cmd
	p.syncW.Write([]byte{0})
	p.syncW.Close()
	msg, _ := io.ReadAll(p.errR) // EOF without data: execve closed the pipe (O_CLOEXEC)
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
	if stdinLn != nil {
		if spec.Tty {
			go stdinLn.serve(p.outs[0].(*os.File), false)
		} else {
			go stdinLn.serve(p.stdinW, true)
		}
	}
	logDone := copyLogs(dir, &spec, p.outs)
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

// initProc is a started, not yet released init stage and the monitor's ends of its pipes.
type initProc struct {
	cmd   *exec.Cmd
	syncW *os.File        // one byte releases init
	errR  *os.File        // pre-exec error text, or EOF once init exec'd
	outs  []io.ReadCloser // stdout and stderr, or the tty master
	// stdinW is the write end of the container's stdin pipe (OpenStdin without Tty).
	stdinW *os.File
}

// launchInit starts init inside the container's cgroups (made by the starter, which
// writes one byte on fd 4 once they exist) and, unless the spec names a netns or the
// host's, in a new network namespace. On cgroup v1 a locked thread makes the netns
// (while the starter writes the cgroups), joins the cgroups (per-thread "tasks") and
// forks init, which inherits both; the thread dies with its goroutine (never unlocked;
// the main goroutine holds the main thread, which could not exit). Init is thus born
// in place: migrating it after its Go runtime has started contends with the threads it
// creates (cgroup_threadgroup_rwsem) and cost up to 8 ms. The pids limit is written
// once init exists, so the short-lived thread never counts against it. On v2 init is
// migrated after start. On error no process is left running.
func launchInit(dir, cgParent string, spec *Spec) (*cgroup, *initProc, error) {
	type started struct {
		cg  *cgroup
		p   *initProc
		err error
	}
	done := make(chan started, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the tainted thread exits with the goroutine
		var err error
		if spec.NetNSPath == "" && !spec.HostNetwork {
			if uerr := unix.Unshare(unix.CLONE_NEWNET); uerr != nil {
				err = fmt.Errorf("new network namespace: %w", uerr)
			}
		}
		cg := &cgroup{v2: unified(), dirs: cgroupDirs(cgParent, spec.ID)}
		var b [1]byte
		if n, _ := os.NewFile(4, "cgroup-ready").Read(b[:]); n != 1 {
			err = errors.New("cgroup setup failed in the starter")
		}
		if err == nil && !cg.v2 {
			err = cg.addThread(unix.Gettid())
		}
		var p *initProc
		if err == nil {
			p, err = startInit(dir, spec)
		}
		done <- started{cg, p, err}
	}()
	st := <-done
	if st.err != nil {
		return nil, nil, st.err
	}
	var err error
	if st.cg.v2 {
		err = st.cg.add(st.p.cmd.Process.Pid)
	}
	if err == nil {
		err = st.cg.setLimits(Resources{PidsLimit: spec.Resources.PidsLimit})
	}
	if err != nil {
		st.p.cmd.Process.Kill()
		st.p.cmd.Wait()
		return nil, nil, err
	}
	return st.cg, st.p, nil
}

// startInit starts the init stage in new pid, mount, uts and ipc namespaces (the
// network namespace and, on v1, the cgroups are the calling thread's) with its pipes:
// fd 3 sync (read; monitor releases init), fd 4 error (write; O_CLOEXEC set by init),
// fd 5 config.
func startInit(dir string, spec *Spec) (*initProc, error) {
	syncR, syncW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cfgR, cfgW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{"berth-init"}
	cmd.Env = []string{stageEnv + "=" + stageInit}
	cmd.ExtraFiles = []*os.File{syncR, errW, cfgR}
	flags := syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: uintptr(flags)}
	outs, err := initOutputs(cmd, spec.Tty)
	if err != nil {
		return nil, err
	}
	var stdinW *os.File
	if spec.OpenStdin && !spec.Tty {
		var stdinR *os.File
		if stdinR, stdinW, err = os.Pipe(); err != nil {
			return nil, fmt.Errorf("stdin pipe: %w", err)
		}
		cmd.Stdin = stdinR
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start init: %w", err)
	}
	if spec.Tty || stdinW != nil {
		cmd.Stdin.(*os.File).Close() // the slave or the pipe's read end: only the container holds it now
	}
	syncR.Close()
	errW.Close()
	cfgR.Close()
	go func() {
		json.NewEncoder(cfgW).Encode(initConfig{Spec: *spec, Dir: dir, Rootfs: filepath.Join(dir, "rootfs")})
		cfgW.Close()
	}()
	return &initProc{cmd: cmd, syncW: syncW, errR: errR, outs: outs, stdinW: stdinW}, nil
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
