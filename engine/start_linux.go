package engine

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/berth-dev/berth/engine/shimproto"
	"github.com/berth-dev/berth/internal/threads"
	"golang.org/x/sys/unix"
)

// Start starts a created or exited container and returns once its process has exec'd
// the command, or with the error that stopped it before exec (missing executable, bad
// user, bad working dir...). An exited container starts again with the same writable
// layer, netns and log (appended to), as `docker start` does. The container is owned by
// a detached monitor process (the shim), not by the caller. It returns ErrInvalid for a
// container that is running or paused.
func (e *Engine) Start(id string) error {
	st, err := e.State(id)
	if err != nil {
		return err
	}
	if st.Status != StatusCreated && st.Status != StatusExited {
		return fmt.Errorf("start container %q: status %s: %w", id, st.Status, ErrInvalid)
	}
	var spec Spec
	dir, _ := e.dir(id) // State checked id
	if err := readJSON(filepath.Join(dir, "config.json"), &spec); err != nil {
		return fmt.Errorf("start container %q: %w", id, err)
	}
	if spec.LayerDirs, err = e.lowerDirs(spec.LayerDirs); err != nil {
		return fmt.Errorf("start container %q: %w", id, err)
	}
	joins, err := e.resolveNamespaces(dir, &spec)
	if err != nil {
		return fmt.Errorf("start container %q: %w", id, err)
	}
	shim, err := shimPath()
	if err != nil {
		return fmt.Errorf("start container %q: %w", id, err)
	}
	// The cgroups are made while the container's namespaces and rootfs are; the shim
	// needs them only to put PID 1 in.
	cgReady := make(chan error, 1)
	cgSpec := spec // read by the goroutine while launch reads spec
	parent := e.cgroupParentOf(id)
	go func() {
		_, err := ensureCgroup(parent, id, &cgSpec)
		if err == nil && isFrozen(parent, id) { // a container killed while paused (v2) left it frozen
			err = setFrozen(parent, id, false)
		}
		cgReady <- err
	}()
	cg := &cgroup{v2: unified(), dirs: cgroupDirs(parent, id)}
	if err := launch(dir, shim, &spec, joins, cg, cgReady); err != nil {
		removeCgroup(parent, id)
		return fmt.Errorf("start container %q: %w", id, err)
	}
	return nil
}

// Prewarm makes, in the background, what the next Start would otherwise make or wait
// for on its way (a thread for the namespace work, a started shim, the kernel's
// readiness for cgroup migrations: see warmMigrations), so that a process about to
// start containers pays for them while it does other work. It is only a hint: Start
// works without it, and an unused spare costs a parked thread and an idle shim that
// exits with this process.
func (e *Engine) Prewarm() {
	shim, err := shimPath()
	if err != nil {
		return
	}
	makeSpareThread()
	makeSpareShim(shim)
	warmMigrations()
}

// launch starts the container from a thread of its own (threads.Discard), so that the
// thread's namespaces and root die with it. See the package doc ("Start") for the
// sequence.
func launch(dir, shim string, spec *Spec, joins nsJoins, cg *cgroup, cgReady <-chan error) error {
	waitCgroup := sync.OnceValue(func() error { return <-cgReady })
	done := make(chan error, 1)
	onFreshThread(func() { done <- launchOnThread(dir, shim, spec, joins, cg, waitCgroup) })
	err := <-done
	if err != nil {
		waitCgroup() // the caller's removeCgroup must not race with ensureCgroup
	}
	if starts.Add(1) > 1 { // a process that starts containers again likely goes on
		makeSpareThread()
		makeSpareShim(shim)
	}
	return err
}

// spareThread holds a goroutine already locked to a thread of its own (see
// onFreshThread), waiting for the work it will run before it exits.
var spareThread = make(chan chan func(), 1)

// onFreshThread runs f on a thread that is thrown away afterwards (threads.Discard): the
// spare one if there is one (see makeSpareThread), else a new one.
func onFreshThread(f func()) {
	select {
	case jobs := <-spareThread:
		jobs <- f
	default:
		go threads.Discard(f)
	}
}

// makeSpareThread makes the thread for the next onFreshThread, unless there is one: a
// new thread costs up to a millisecond here, which need not be on the path of every
// Start. Start calls it once its container runs, while it has the time.
func makeSpareThread() {
	go threads.Discard(func() {
		jobs := make(chan func())
		select {
		case spareThread <- jobs:
			(<-jobs)()
		default: // there is one already
		}
	})
}

func launchOnThread(dir, shimExe string, spec *Spec, joins nsJoins, cg *cgroup, waitCgroup func() error) error {
	net := string(shimproto.NetNew)
	switch {
	case spec.HostNetwork:
		net = string(shimproto.NetHost)
	case joins.net != "":
		net = joins.net
	case spec.NetNSPath != "":
		net = spec.NetNSPath
	}
	// A shim made ahead of time, or a new one, forked before this thread's unshare:
	// it lives in the host's namespaces; PID 1 joins this thread's.
	p := takeSpareShim()
	if p != nil && (unix.Kill(p.pid, 0) != nil || p.proto != shimProtocol()) { // a spare someone killed, or sent another version (a test's)
		p.close()
		p = nil
	}
	if p == nil {
		var err error
		if p, err = startShim(shimExe, false); err != nil {
			return err
		}
	}
	defer p.close()
	if err := unix.Unshare(joins.unshareFlags()); err != nil {
		return fmt.Errorf("new namespaces: %w", err)
	}
	if err := joins.enter(); err != nil {
		return err
	}
	lastNetNew.Store(net == string(shimproto.NetNew))
	// The shim makes or joins the network namespace while this thread builds the rootfs.
	var rec shimRecords
	rec.add(shimproto.NS, fmt.Sprintf("/proc/%d/task/%d/ns", unix.Getpid(), unix.Gettid()))
	rec.add(shimproto.Net, net)
	rec.add(shimproto.PIDNS, joins.pidNS())
	// What PID 1 needs to be born now (it then waits for the rest): its stdio and the
	// container dir.
	io := shimproto.IOPipes
	if spec.Tty {
		io = shimproto.IOTTY
	}
	if spec.OpenStdin {
		io += shimproto.IOStdin
	}
	rec.add(shimproto.IO, string(io))
	rec.add(shimproto.Dir, dir)
	report := bufio.NewReader(fdReader(p.repR))
	if err := p.config(rec.b.Bytes()); err != nil { // the shim died: its report may say why
		return shimReportFailure(report, fmt.Errorf("configure shim: %w", err))
	}
	// joinNetwork waits for the shim's "net" line and enters its network namespace.
	joinNetwork := func() error {
		line, err := report.ReadString('\n')
		if line == string(shimproto.ReportNet)+"\n" {
			if net == string(shimproto.NetHost) {
				return nil
			}
			return joinNetNS(fmt.Sprintf("/proc/%d/ns/net", p.pid))
		}
		if line != "" {
			return reportFailure(line)
		}
		return fmt.Errorf("shim ended before its network namespace was ready: %v", err)
	}
	records, err := prepareContainer(dir, spec, joins, cg, joinNetwork, waitCgroup)
	if cerr := waitCgroup(); err == nil {
		err = cerr
	}
	if err != nil {
		return err // the shim reads EOF without a configuration and exits
	}
	werr := p.config(records) // on error (the shim died) its report says why
	p.closeConfig()
	line, rerr := report.ReadString('\n')
	switch {
	case strings.HasPrefix(line, string(shimproto.ReportOK)+" "):
		return nil
	case line != "":
		return reportFailure(line)
	case werr != nil:
		return fmt.Errorf("configure shim: %w", werr)
	default:
		return fmt.Errorf("shim ended without reporting: %v", rerr)
	}
}

// shimProc is a started shim waiting for its configuration, and our ends of its
// pipes: plain blocking descriptors, so that the launching thread waits in read(2)
// itself and no pipe goes through the runtime's poller (see readFile).
type shimProc struct {
	pid        int
	cfgW, repR int
	proto      int64 // the protocol version it was sent
}

// startShim forks and executes the shim from the calling thread, which must be in the
// process's own namespaces, and writes its first record (pre=): with netns the shim
// makes a new network namespace at once (a spare shim for a container that will likely
// want one). The process is reaped when it exits, whoever uses it.
func startShim(exe string, netns bool) (*shimProc, error) {
	var cfg, rep [2]int
	if err := unix.Pipe2(cfg[:], unix.O_CLOEXEC); err != nil {
		return nil, fmt.Errorf("shim pipe: %w", err)
	}
	if err := unix.Pipe2(rep[:], unix.O_CLOEXEC); err != nil {
		unix.Close(cfg[0])
		unix.Close(cfg[1])
		return nil, fmt.Errorf("shim pipe: %w", err)
	}
	closed := ^uintptr(0)
	pid, err := syscall.ForkExec(exe, []string{"berth-shim"}, &syscall.ProcAttr{
		Env:   []string{},
		Files: []uintptr{closed, closed, closed, uintptr(cfg[0]), uintptr(rep[1])},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	unix.Close(cfg[0])
	unix.Close(rep[1])
	if err != nil {
		unix.Close(cfg[1])
		unix.Close(rep[0])
		return nil, fmt.Errorf("start shim: %w", err)
	}
	go func() { // reap the shim if it exits while we live; it records its own state
		var ws unix.WaitStatus
		for {
			if _, err := unix.Wait4(pid, &ws, 0, nil); err != unix.EINTR {
				return
			}
		}
	}()
	p := &shimProc{pid: pid, cfgW: cfg[1], repR: rep[0]}
	var rec shimRecords
	p.proto = rec.version()
	rec.add(shimproto.Pre, map[bool]string{true: string(shimproto.PreNetNS), false: ""}[netns])
	p.config(rec.b.Bytes()) // a shim that died says so when configured
	return p, nil
}

// config writes b to the shim's configuration pipe.
func (p *shimProc) config(b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(p.cfgW, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// closeConfig ends the configuration (EOF for the shim).
func (p *shimProc) closeConfig() {
	if p.cfgW >= 0 {
		unix.Close(p.cfgW)
		p.cfgW = -1
	}
}

func (p *shimProc) close() {
	p.closeConfig()
	unix.Close(p.repR)
}

// spareShim holds a shim started ahead of time (makeSpareShim); lastNetNew says
// whether the last container started wanted a new network namespace, so that the
// spare makes one in advance only for callers that use them.
var (
	spareShim  = make(chan *shimProc, 1)
	lastNetNew atomic.Bool
	starts     atomic.Int64 // launches in this process; spares are made from the second on
)

func takeSpareShim() *shimProc {
	select {
	case p := <-spareShim:
		return p
	default:
		return nil
	}
}

// makeSpareShim starts the shim for the next Start, unless there is one: its fork and
// exec (and, for containers with a network namespace of their own, that namespace)
// then cost the next Start nothing. Start makes spares from its second launch in a
// process on (one that starts a single container, as `run`, would waste them); Prewarm
// makes them at once. A spare nobody takes reads EOF when this process exits, and exits
// too.
func makeSpareShim(exe string) {
	go func() {
		if len(spareShim) > 0 {
			return
		}
		p, err := startShim(exe, lastNetNew.Load())
		if err != nil {
			return
		}
		select {
		case spareShim <- p:
		default:
			p.close()
		}
	}()
}

// fdReader reads a blocking descriptor with read(2).
type fdReader int

func (fd fdReader) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(int(fd), p)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// prepareContainer builds the container's mounts in this thread's mount namespace,
// sets hostname and domainname in its uts namespace, then enters the rootfs
// (chroot, this thread only) to resolve the user, the working dir and the executable
// as the container sees them. It returns the shim's configuration records.
func prepareContainer(dir string, spec *Spec, joins nsJoins, cg *cgroup, joinNetwork, waitCgroup func() error) ([]byte, error) {
	root := filepath.Join(dir, "rootfs")
	if err := setupRootfs(dir, root, spec, joins.shm, joinNetwork); err != nil {
		return nil, err
	}
	if err := waitCgroup(); err != nil {
		return nil, err
	}
	if err := mountCgroupFS(root, spec, cg); err != nil {
		return nil, err
	}
	if spec.Hostname != "" && joins.uts == "" {
		if err := unix.Sethostname([]byte(spec.Hostname)); err != nil {
			return nil, fmt.Errorf("set hostname: %w", err)
		}
	}
	if spec.Domainname != "" && joins.uts == "" {
		if err := unix.Setdomainname([]byte(spec.Domainname)); err != nil {
			return nil, fmt.Errorf("set domainname: %w", err)
		}
	}
	caps, err := capSet(spec.Privileged, spec.CapAdd, spec.CapDrop)
	if err != nil {
		return nil, err
	}
	filter, err := seccompRecord(spec, caps)
	if err != nil {
		return nil, err
	}
	var rec shimRecords
	rec.flag(shimproto.CgroupNS, spec.privateCgroupNS(cg.v2)) // see mountCgroupFS
	for k, v := range spec.sysctls() {
		rec.add(shimproto.Sysctl, k+"="+v)
	}
	if err := rec.rlimits(spec.Ulimits); err != nil {
		return nil, err
	}
	if err := unix.Chroot(root); err != nil {
		return nil, fmt.Errorf("enter rootfs: %w", err)
	}
	u, err := resolveUser(spec.user())
	if err != nil {
		return nil, err
	}
	if u, err = addGroups("/", u, spec.GroupAdd); err != nil {
		return nil, err
	}
	wd, err := ensureWorkdir(spec, u)
	if err != nil {
		return nil, err
	}
	argv, err := spec.argv()
	if err != nil {
		return nil, err
	}
	env := spec.processEnv(u.home)
	path, err := lookPath(argv[0], envValue(env, "PATH"))
	if err != nil {
		return nil, err
	}
	rec.add(shimproto.ID, spec.ID)
	rec.add(shimproto.Dir, dir)
	rec.add(shimproto.Rootfs, root)
	rec.add(shimproto.Path, path)
	rec.add(shimproto.Cwd, wd)
	rec.command(argv, env)
	rec.identity(u, caps, spec)
	rec.flag(shimproto.TTY, spec.Tty)
	if rows, cols := spec.ConsoleSize[0], spec.ConsoleSize[1]; spec.Tty && rows > 0 && cols > 0 {
		rec.add(shimproto.Winsize, fmt.Sprintf("%d:%d", rows, cols))
	}
	rec.flag(shimproto.Stdin, spec.OpenStdin)
	rec.flag(shimproto.Init, spec.Init)
	rec.flag(shimproto.Privileged, spec.Privileged)
	rec.flag(shimproto.Readonly, spec.ReadOnlyRootfs)
	rec.cgroupProcs(cg.dirs)
	rec.add(shimproto.OOM, cg.oomCounter())
	if spec.OOMScoreAdj != 0 { // else inherited: writing 0 may need CAP_SYS_RESOURCE
		rec.add(shimproto.OOMScore, strconv.Itoa(spec.OOMScoreAdj))
	}
	rec.flag(shimproto.NoLog, spec.NoLog)
	rec.add(shimproto.LogMax, strconv.FormatInt(spec.LogMaxSize, 10))
	rec.add(shimproto.LogFiles, strconv.Itoa(spec.LogMaxFiles))
	rec.logForward(spec.LogForward)
	rec.seccomp(filter)
	for _, a := range spec.ExitHook {
		rec.add(shimproto.Hook, a)
	}
	for _, kv := range spec.ExitHookEnv {
		rec.add(shimproto.HookEnv, kv)
	}
	if spec.ExitHookUnlessListening != "" {
		rec.add(shimproto.HookSock, spec.ExitHookUnlessListening)
	}
	return rec.b.Bytes(), nil
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

func joinNetNS(path string) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", path, err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("join netns %q: %w", path, err)
	}
	return nil
}

// lookPath is exec.LookPath with the container's PATH instead of this process's, run
// with the container's root: a name with a slash is taken as it is (relative to the
// working dir), anything else is searched in path's dirs. The errors read as
// exec.LookPath's (`exec: "x": executable file not found in $PATH`).
func lookPath(name, path string) (string, error) {
	if strings.Contains(name, "/") {
		if err := executable(name); err != nil {
			return "", &exec.Error{Name: name, Err: err}
		}
		return name, nil
	}
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			d = "."
		}
		p := filepath.Join(d, name)
		if executable(p) == nil {
			if !filepath.IsAbs(p) {
				return "", &exec.Error{Name: name, Err: exec.ErrDot}
			}
			return p, nil
		}
	}
	return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
}

func executable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fs.ErrPermission
	}
	return nil
}
