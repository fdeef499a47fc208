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
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

const execEnv = "_BERTH_ENGINE_EXEC"

// ExecSpec is a process to run in a running container. Empty fields take the
// container's values (user, working dir); Env is appended to the container's env.
// The process always runs in a session of its own, so it never shares the caller's
// controlling terminal (which it could otherwise inject input into with TIOCSTI).
type ExecSpec struct {
	Cmd        []string
	Env        []string
	User       string
	WorkingDir string
	Stdin      io.Reader
	Stdout     io.Writer
	Stderr     io.Writer
	// Tty makes Stdin, which must then be the slave of a pseudo-terminal (OpenPTY),
	// the controlling terminal of the process's session; pass it as Stdout and Stderr too.
	Tty bool
	// Privileged gives the process every capability, whatever the container has.
	Privileged bool
	// Detach returns code 0 as soon as the command has exec'd; the process runs on,
	// and nobody waits for its exit. Nil Stdin/Stdout/Stderr are then /dev/null.
	Detach bool
}

// execConfig travels to the exec stage in the environment.
type execConfig struct {
	Spec Spec
	Tty  bool
}

// OpenPTY returns a new pseudo-terminal's master and slave (both close-on-exec), for
// ExecSpec.Tty. The caller owns both.
func OpenPTY() (master, slave *os.File, err error) { return openPTY() }

// Exec runs a process in the running container's namespaces (mount, pid, uts, ipc, net)
// and cgroups, with its capabilities, no_new_privs, env, user and working dir, and
// returns its exit code. Errors before exec in the container come back as errors.
// It returns ErrNotRunning if the container is not running and ErrPaused if it is paused.
func (e *Engine) Exec(id string, es ExecSpec) (int, error) {
	st, err := e.State(id)
	if err != nil {
		return 0, err
	}
	if st.Status == StatusPaused {
		return 0, fmt.Errorf("exec in container %q: %w", id, ErrPaused)
	}
	if st.Status != StatusRunning {
		return 0, fmt.Errorf("exec in container %q: %w", id, ErrNotRunning)
	}
	var spec Spec
	if err := readJSON(filepath.Join(e.dir(id), "config.json"), &spec); err != nil {
		return 0, fmt.Errorf("exec in container %q: %w", id, err)
	}
	if err := staticStage(); err != nil {
		return 0, fmt.Errorf("exec in container %q: %w", id, err)
	}
	if len(es.Cmd) == 0 {
		return 0, fmt.Errorf("exec in container %q: empty command: %w", id, ErrInvalid)
	}
	spec.Entrypoint, spec.Cmd, spec.Image.Entrypoint, spec.Image.Cmd = es.Cmd, nil, nil, nil
	spec.Env = append(spec.Env, es.Env...)
	if es.User != "" {
		spec.User = es.User
	}
	if es.WorkingDir != "" {
		spec.WorkingDir = es.WorkingDir
	}
	spec.Privileged = spec.Privileged || es.Privileged
	cfg, err := json.Marshal(execConfig{Spec: spec, Tty: es.Tty})
	if err != nil {
		return 0, err
	}
	code, err := e.runNsenter(st.Pid, &spec, cfg, es)
	if err != nil {
		return 0, fmt.Errorf("exec in container %q: %w", id, err)
	}
	return code, nil
}

const stageExec = "exec"

// runNsenter starts util-linux nsenter, which enters the namespaces of pid from a
// single-threaded process and execs the sealed stage binary (fd 4, see sealedStage)
// into the exec stage, which closes it; fd 3 is the error pipe. nsenter is born in the
// container's cgroups: on v1 it is forked from a locked thread that first joined them
// (per-thread "tasks"; the thread dies with its goroutine), on v2 it is cloned into the
// cgroup (CLONE_INTO_CGROUP). Either way no process of the exec ever runs outside them.
func (e *Engine) runNsenter(pid int, spec *Spec, cfg []byte, es ExecSpec) (int, error) {
	self, err := sealedStage()
	if err != nil {
		return 0, err
	}
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		return 0, fmt.Errorf("exec needs util-linux nsenter: %w", err)
	}
	args := []string{"nsenter", "-t", strconv.Itoa(pid), "-m", "-u", "-i", "-p", "-r", "-w"}
	if spec.NetNSPath == "" && !spec.HostNetwork {
		args = append(args, "-n")
	} else if spec.NetNSPath != "" {
		args = append(args, "--net="+spec.NetNSPath)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer errR.Close()
	cmd := &exec.Cmd{Path: nsenter, Args: append(args, "/proc/self/fd/4"),
		Env:   []string{stageEnv + "=" + stageExec, execEnv + "=" + string(cfg)},
		Stdin: es.Stdin, Stdout: es.Stdout, Stderr: es.Stderr,
		ExtraFiles: []*os.File{errW, self}}
	if es.Detach {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no signal of the caller's terminal reaches it
	}
	release, err := startInCgroup(cmd, cgroupDirs(e.cgroupParent(), spec.ID))
	errW.Close()
	if err != nil {
		return 0, err
	}
	msg, _ := io.ReadAll(errR)
	if es.Detach && len(msg) == 0 {
		go func() {
			cmd.Wait()
			close(release)
		}()
		return 0, nil
	}
	werr := cmd.Wait()
	close(release)
	if len(msg) > 0 {
		return 0, errors.New(string(msg))
	}
	code, _ := exitCode(cmd.ProcessState, werr)
	return code, nil
}

// startInCgroup starts cmd inside the cgroup dirs (one per v1 controller, or the v2
// dir under the "" key) without ever migrating it. On v1 the forking thread joins the
// cgroups first; it goes back to its own cgroups once the caller closes the returned
// channel (after cmd.Wait, so the move never contends with the exec's own threads).
func startInCgroup(cmd *exec.Cmd, dirs map[string]string) (chan<- struct{}, error) {
	release := make(chan struct{})
	if d, ok := dirs[""]; ok {
		fd, err := unix.Open(d, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("open cgroup: %w", err)
		}
		defer unix.Close(fd)
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{}
		}
		cmd.SysProcAttr.UseCgroupFD, cmd.SysProcAttr.CgroupFD = true, fd
		return release, cmd.Start()
	}
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		home, err := threadCgroups(dirs)
		if err != nil {
			runtime.UnlockOSThread()
			done <- err
			return
		}
		err = (&cgroup{dirs: dirs}).addThread(unix.Gettid())
		if err == nil {
			err = cmd.Start()
		}
		done <- err
		if err == nil {
			<-release
		}
		if (&cgroup{dirs: home}).addThread(unix.Gettid()) == nil {
			runtime.UnlockOSThread() // else the thread stays locked and dies with this goroutine
		}
	}()
	if err := <-done; err != nil {
		return nil, fmt.Errorf("start in cgroup: %w", err)
	}
	return release, nil
}

// threadCgroups returns the calling thread's own v1 cgroup dir for each controller
// named in dirs, from /proc/thread-self/cgroup.
func threadCgroups(dirs map[string]string) (map[string]string, error) {
	b, err := os.ReadFile("/proc/thread-self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("read own cgroups: %w", err)
	}
	home := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		for _, c := range strings.Split(f[1], ",") {
			if _, ok := dirs[c]; ok {
				home[c] = filepath.Join(cgroupRoot, c, f[2])
			}
		}
	}
	if len(home) != len(dirs) {
		return nil, fmt.Errorf("own cgroups %v: controller missing: %w", home, ErrInvalid)
	}
	return home, nil
}

// runExec runs inside the container's namespaces: it applies the container's privileges
// to the exec'd process, exactly as init does, and execs the command.
func runExec() {
	var cfg execConfig
	err := json.Unmarshal([]byte(os.Getenv(execEnv)), &cfg)
	if err == nil {
		os.Unsetenv(execEnv)
		os.Unsetenv(stageEnv)
		unix.Close(4)
		if err = execSession(cfg.Tty); err == nil {
			if err = setupIdentity(&cfg.Spec); err == nil {
				err = execCommand(&cfg.Spec)
			}
		}
	}
	fmt.Fprint(os.NewFile(3, "error"), err.Error())
	os.Exit(126)
}

// execSession puts the exec stage (nsenter's child, never a group leader) in a new
// session, and with tty makes its stdin the session's controlling terminal.
func execSession(tty bool) error {
	if _, err := unix.Setsid(); err != nil {
		return fmt.Errorf("new session: %w", err)
	}
	if tty {
		if err := unix.IoctlSetInt(0, unix.TIOCSCTTY, 0); err != nil {
			return fmt.Errorf("set controlling terminal: %w", err)
		}
	}
	return nil
}
