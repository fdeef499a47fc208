package engine

import (
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

const execEnv = "_BERTH_ENGINE_EXEC"

// ExecSpec is a process to run in a running container. Empty fields take the
// container's values (user, working dir); Env is appended to the container's env.
type ExecSpec struct {
	Cmd        []string
	Env        []string
	User       string
	WorkingDir string
	Stdin      io.Reader
	Stdout     io.Writer
	Stderr     io.Writer
}

// execConfig travels to the exec stage in the environment.
type execConfig struct {
	Spec Spec
}

// Exec runs a process in the running container's namespaces (mount, pid, uts, ipc, net)
// and cgroups, with its capabilities, no_new_privs, env, user and working dir, and
// returns its exit code. Errors before exec in the container come back as errors.
// It returns ErrNotRunning if the container is not running.
func (e *Engine) Exec(id string, es ExecSpec) (int, error) {
	st, err := e.State(id)
	if err != nil {
		return 0, err
	}
	if st.Status != StatusRunning {
		return 0, fmt.Errorf("exec in container %q: %w", id, ErrNotRunning)
	}
	var spec Spec
	if err := readJSON(filepath.Join(e.dir(id), "config.json"), &spec); err != nil {
		return 0, fmt.Errorf("exec in container %q: %w", id, err)
	}
	if err := staticSelf(); err != nil {
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
	cfg, err := json.Marshal(execConfig{Spec: spec})
	if err != nil {
		return 0, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return 0, fmt.Errorf("exec in container %q: %w", id, err)
	}
	defer errR.Close()
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{"berth-exec", strconv.Itoa(st.Pid)}
	cmd.Env = []string{stageEnv + "=" + stageExecPre, execEnv + "=" + string(cfg),
		cgroupEnv + "=" + e.cgroupParent()}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = es.Stdin, es.Stdout, es.Stderr
	cmd.ExtraFiles = []*os.File{errW}
	if err := cmd.Start(); err != nil {
		errW.Close()
		return 0, fmt.Errorf("exec in container %q: %w", id, err)
	}
	errW.Close()
	msg, _ := io.ReadAll(errR)
	werr := cmd.Wait()
	if len(msg) > 0 {
		return 0, fmt.Errorf("exec in container %q: %s", id, msg)
	}
	code, _ := exitCode(cmd.ProcessState, werr)
	return code, nil
}

const (
	stageExecPre = "exec-pre"
	stageExec    = "exec"
)

// runExecPre joins the container's cgroups, then execs util-linux nsenter, which enters
// the namespaces from a single-threaded process and execs the berth binary (passed as
// fd 4, opened before entering, so no path inside the container is trusted) into the
// exec stage. fd 3 is the error pipe to the caller.
func runExecPre() {
	fail := func(err error) {
		fmt.Fprint(os.NewFile(3, "error"), err.Error())
		os.Exit(126)
	}
	pid := os.Args[1]
	var cfg execConfig
	if err := json.Unmarshal([]byte(os.Getenv(execEnv)), &cfg); err != nil {
		fail(fmt.Errorf("exec config: %w", err))
	}
	for _, d := range cgroupDirs(os.Getenv(cgroupEnv), cfg.Spec.ID) {
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(os.Getpid())), 0); err != nil {
			fail(fmt.Errorf("join cgroup: %w", err))
		}
	}
	self, err := sealedSelf()
	if err != nil {
		fail(err)
	}
	if self != 4 {
		if err := unix.Dup2(self, 4); err != nil {
			fail(err)
		}
		unix.Close(self)
	}
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		nsenter = "/usr/bin/nsenter"
	}
	args := []string{"nsenter", "-t", pid, "-m", "-u", "-i", "-p", "-r", "-w"}
	if cfg.Spec.NetNSPath == "" && !cfg.Spec.HostNetwork {
		args = append(args, "-n")
	} else if cfg.Spec.NetNSPath != "" {
		args = append(args, "--net="+cfg.Spec.NetNSPath)
	}
	args = append(args, "/proc/self/fd/4")
	env := []string{stageEnv + "=" + stageExec, execEnv + "=" + os.Getenv(execEnv)}
	fail(syscall.Exec(nsenter, args, env))
}

// staticSelf reports an error when the running binary needs an ELF interpreter: the
// exec stage runs from inside the container's mount namespace, where the host's
// dynamic loader and libc do not exist. Build berth with CGO_ENABLED=0.
func staticSelf() error {
	f, err := elf.Open("/proc/self/exe")
	if err != nil {
		return fmt.Errorf("inspect berth binary: %w", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("the berth binary is dynamically linked and cannot run inside a container (build it with CGO_ENABLED=0): %w", errors.ErrUnsupported)
		}
	}
	return nil
}

// sealedSelf copies the berth binary into a sealed memfd (CVE-2019-5736): the exec stage
// runs inside the container's pid namespace, where a container process could reopen
// /proc/<pid>/exe; it then reaches an immutable copy, never the host binary. The fd is
// inheritable: nsenter passes it on.
func sealedSelf() (int, error) {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return -1, fmt.Errorf("seal binary: %w", err)
	}
	defer src.Close()
	fd, err := unix.MemfdCreate("berth", unix.MFD_ALLOW_SEALING)
	if err != nil {
		return -1, fmt.Errorf("seal binary: %w", err)
	}
	dst := os.NewFile(uintptr(fd), "memfd")
	if _, err := io.Copy(dst, src); err != nil {
		return -1, fmt.Errorf("seal binary: %w", err)
	}
	seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		return -1, fmt.Errorf("seal binary: %w", err)
	}
	return fd, nil
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
		if err = setupIdentity(&cfg.Spec); err == nil {
			err = execCommand(&cfg.Spec)
		}
	}
	fmt.Fprint(os.NewFile(3, "error"), err.Error())
	os.Exit(126)
}
