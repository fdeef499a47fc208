package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/berth-dev/berth/engine/shimproto"
)

// ExecSpec is a process to run in a running container. Empty fields take the
// container's values (user, working dir); Env is appended to the container's env.
// The process always runs in a session of its own, so it never shares the caller's
// controlling terminal (which it could otherwise inject input into with TIOCSTI).
//
// The process never gets a file of the caller's (see execIO): its stdin, stdout and
// stderr are pipes that the engine copies from Stdin and to Stdout and Stderr (nil is
// /dev/null). When the process exits, the engine stops reading Stdin (a process it
// left behind reads EOF) and waits at most 2 s for output still held open by one.
// Nothing of the caller's environment or other open files reaches it either.
type ExecSpec struct {
	Cmd        []string
	Env        []string
	User       string
	WorkingDir string
	Stdin      io.Reader
	Stdout     io.Writer
	Stderr     io.Writer
	// Tty makes Stdin, which must then be the slave of a pseudo-terminal (OpenPTY),
	// the process's stdin, stdout, stderr and controlling terminal; Stdout and Stderr
	// are not used. The caller keeps the slave and copies to and from the master.
	Tty bool
	// Privileged gives the process every capability, whatever the container has.
	Privileged bool
	// Detach returns code 0 as soon as the command has exec'd; the process runs on,
	// and nobody waits for its exit. Its stdin, stdout and stderr are /dev/null:
	// Stdin, Stdout and Stderr are not used.
	Detach bool
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
	dir, _ := e.dir(id) // State checked id
	if err := readJSON(filepath.Join(dir, "config.json"), &spec); err != nil {
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
	// The container's seccomp filter binds its execs too, privileged or not (as runc's
	// exec): it is compiled for the container's capabilities, not the exec's.
	caps, err := capSet(spec.Privileged, spec.CapAdd, spec.CapDrop)
	if err != nil {
		return 0, fmt.Errorf("exec in container %q: %w", id, err)
	}
	filter, err := seccompRecord(&spec, caps)
	if err != nil {
		return 0, fmt.Errorf("exec in container %q: %w", id, err)
	}
	spec.Privileged = spec.Privileged || es.Privileged
	code, err := e.runExec(st.Pid, &spec, es, filter)
	if err != nil {
		if initGone(st.Pid) {
			// It exited while the exec was joining it, before the shim recorded it.
			return 0, fmt.Errorf("exec in container %q: %w", id, ErrNotRunning)
		}
		return 0, fmt.Errorf("exec in container %q: %w", id, err)
	}
	return code, nil
}

// runExec runs the shim's exec mode (`berth-shim exec`, see engine/shim/shim.c): it
// enters the namespaces and root of pid, the container's PID 1, forks, and the child
// takes the container's privileges and execs the command. The user is resolved here,
// from the container's /etc/passwd and /etc/group through /proc/<pid>/root; the command
// is looked up in the container's PATH by the shim. fd 3 carries the configuration,
// fd 4 the errors before the execve. The shim joins the container's cgroups before it
// forks, so the command is born in them.
func (e *Engine) runExec(pid int, spec *Spec, es ExecSpec, filter string) (int, error) {
	shim, err := shimPath()
	if err != nil {
		return 0, err
	}
	rec, err := execRecords(pid, spec, es.Tty, cgroupDirs(e.cgroupParentOf(spec.ID), spec.ID), filter)
	if err != nil {
		return 0, err
	}
	cfgR, cfgW, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer cfgW.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		cfgR.Close()
		return 0, err
	}
	defer errR.Close()
	stdio, err := newExecIO(es)
	if err != nil {
		cfgR.Close()
		errW.Close()
		return 0, err
	}
	// Env empty: nothing of the caller's environment reaches the shim, whose command
	// gets the spec's env only.
	cmd := &exec.Cmd{Path: shim, Args: []string{"berth-shim", string(shimproto.ExecMode)}, Env: []string{},
		ExtraFiles: []*os.File{cfgR, errW}}
	setStdio(cmd, stdio.child)
	if es.Detach {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no signal of the caller's terminal reaches it
	}
	err = cmd.Start()
	cfgR.Close()
	errW.Close()
	stdio.started()
	if err != nil {
		stdio.finish()
		return 0, fmt.Errorf("start shim: %w", err)
	}
	cfgW.Write(rec) // a shim that died early says why on errR
	cfgW.Close()
	msg, _ := io.ReadAll(errR)
	if es.Detach && len(msg) == 0 {
		go cmd.Wait()
		return 0, nil
	}
	werr := cmd.Wait()
	stdio.finish()
	if len(msg) > 0 {
		return 0, shimFailure(string(msg))
	}
	code, _ := exitCode(cmd.ProcessState, werr)
	return code, nil
}

// setStdio gives cmd the files as stdin, stdout and stderr; a nil one is /dev/null.
func setStdio(cmd *exec.Cmd, files [3]*os.File) {
	if files[0] != nil {
		cmd.Stdin = files[0]
	}
	if files[1] != nil {
		cmd.Stdout = files[1]
	}
	if files[2] != nil {
		cmd.Stderr = files[2]
	}
}

// execRecords is the shim's exec configuration for spec in the container whose PID 1
// is pid, with the container's seccomp filter (seccompRecord).
func execRecords(pid int, spec *Spec, tty bool, cgroups map[string]string, filter string) ([]byte, error) {
	root := fmt.Sprintf("/proc/%d/root", pid)
	u, err := resolveUserIn(root, spec.user())
	if err != nil {
		return nil, err
	}
	if u, err = addGroups(root, u, spec.GroupAdd); err != nil {
		return nil, err
	}
	caps, err := capSet(spec.Privileged, spec.CapAdd, spec.CapDrop)
	if err != nil {
		return nil, err
	}
	wd, err := spec.workingDir()
	if err != nil {
		return nil, err
	}
	argv, err := spec.argv()
	if err != nil {
		return nil, err
	}
	var rec shimRecords
	rec.version()
	rec.add(shimproto.PID, strconv.Itoa(pid))
	rec.add(shimproto.Cwd, wd)
	rec.command(argv, spec.processEnv(u.home))
	rec.identity(u, caps, spec)
	rec.flag(shimproto.TTY, tty)
	rec.flag(shimproto.CgroupNS, spec.privateCgroupNS(unified())) // the container's cgroup namespace
	rec.cgroupProcs(cgroups)
	if spec.OOMScoreAdj != 0 { // as the container's processes
		rec.add(shimproto.OOMScore, strconv.Itoa(spec.OOMScoreAdj))
	}
	if err := rec.rlimits(spec.Ulimits); err != nil {
		return nil, err
	}
	rec.seccomp(filter)
	return rec.b.Bytes(), nil
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

// initGone reports whether the container's PID 1, pid, has exited: its mount
// namespace is gone (the kernel drops a task's namespaces, all but its pid namespace,
// as it exits, before the shim reaps it).
func initGone(pid int) bool {
	_, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", pid))
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ESRCH)
}
