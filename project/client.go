package project

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/netdriver"
	"github.com/berth-dev/berth/project/internal/state"
	"github.com/berth-dev/berth/project/internal/supervisor"
)

// supervisorAlive reports whether the project's supervisor answers.
func (c Config) supervisorAlive(name string) bool {
	cl := c.client(name)
	cl.Timeout = time.Second
	return cl.Do(reqPing, nil) == nil
}

// syncSupervisor asks the project's supervisor, when one answers, to sync with the
// state; without one there is nothing to sync.
func (c Config) syncSupervisor(name string) error {
	if err := c.client(name).Do(reqSync, nil); err != nil && !errors.Is(err, errNoSupervisor) {
		return err
	}
	return nil
}

// ensureSupervisor starts the project's supervisor unless one answers, and waits until
// it listens. A new supervisor adopts the containers recorded in state.
func (c Config) ensureSupervisor(name string) (*client, error) {
	return c.startSupervisor(name)()
}

// startSupervisor starts the project's supervisor unless one answers, and returns a
// function that waits until it listens and returns its client. Callers start it first
// and wait when they need it, so that its start (an exec of this binary, 15-40 ms)
// overlaps their own work. The supervisor says it listens by writing a byte to a pipe
// (EnvReadyFD) rather than being polled.
func (c Config) startSupervisor(name string) func() (*client, error) {
	failed := func(err error) func() (*client, error) {
		return func() (*client, error) { return nil, fmt.Errorf("start supervisor of %q: %w", name, err) }
	}
	if c.supervisorAlive(name) {
		return func() (*client, error) { return c.client(name), nil }
	}
	exe, err := c.executable()
	if err != nil {
		return failed(err)
	}
	dir, err := c.runDir(name)
	if err != nil {
		return failed(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return failed(err)
	}
	logf, err := os.OpenFile(filepath.Join(dir, "supervisor.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return failed(err)
	}
	defer logf.Close()
	ready, readyW, err := os.Pipe()
	if err != nil {
		return failed(err)
	}
	defer readyW.Close()
	cmd := exec.Command(exe, SupervisorCommand, name)
	cmd.Env = append(os.Environ(), c.environ()...)
	cmd.Env = append(cmd.Env, EnvReadyFD+"=3") // ExtraFiles[0] is fd 3
	cmd.ExtraFiles = []*os.File{readyW}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		ready.Close()
		return failed(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return func() (*client, error) {
		defer ready.Close()
		listening := make(chan bool, 1)
		go func() {
			n, _ := ready.Read(make([]byte, 1))
			listening <- n == 1
		}()
		timeout := time.NewTimer(10 * time.Second)
		defer timeout.Stop()
		select {
		case ok := <-listening:
			if ok {
				return c.client(name), nil
			}
			select { // it closed the pipe without a word: it is exiting
			case err := <-exited:
				return nil, supervisorExited(name, dir, err)
			case <-timeout.C:
			}
		case err := <-exited:
			return nil, supervisorExited(name, dir, err)
		case <-timeout.C:
		}
		return nil, fmt.Errorf("supervisor of %q does not answer on %s", name, c.client(name).Sock)
	}
}

// supervisorExited is the error of a supervisor that exited before it listened: its
// exit status and the last line it logged.
func supervisorExited(name, dir string, err error) error {
	log, _ := os.ReadFile(filepath.Join(dir, "supervisor.log"))
	return fmt.Errorf("supervisor of %q exited (%v): %s", name, err, lastLine(log))
}

// executable is the berth binary a supervisor runs: c.Executable, else this one.
func (c Config) executable() (string, error) {
	if c.Executable != "" {
		return c.Executable, nil
	}
	return os.Executable()
}

// environ passes the configuration to a re-executed supervisor.
func (c Config) environ() []string {
	env := []string{EnvRoot + "=" + c.Root, EnvRuntimeDir + "=" + c.RuntimeDir,
		EnvNFTable + "=" + c.Table, EnvNamePrefix + "=" + c.NamePrefix, EnvCgroupParent + "=" + c.CgroupParent}
	var pools []string
	for _, p := range c.Pools {
		pools = append(pools, p.String())
	}
	return append(env, EnvAddressPools+"="+strings.Join(pools, ","))
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// health returns the health of every checked container, by ID; nil when no supervisor
// answers.
func (c Config) health(name string) map[string]string {
	var h map[string]string
	if c.client(name).Do(reqHealth, &h) != nil {
		return nil
	}
	return h
}

// SupervisorCommand is the hidden CLI command that runs a supervisor: the binary is
// re-executed as `<exe> _supervise <project>`. The supervisor serves the project's
// userland port proxies, whose sockets netdriver.PortHolder knows by this argument.
const SupervisorCommand = netdriver.ProxyCommand

// The supervisor and its protocol live in internal/supervisor.
type client = supervisor.Client

const (
	reqPing     = supervisor.ReqPing
	reqSync     = supervisor.ReqSync
	reqHealth   = supervisor.ReqHealth
	reqShutdown = supervisor.ReqShutdown
)

var (
	errNoSupervisor = supervisor.ErrNoSupervisor
	serveRequests   = supervisor.Serve
)

func (c Config) client(name string) *client {
	return supervisor.NewClient(c.socketPath(name))
}

// RestartCounts returns, by container ID, how many times the supervisor restarted each
// container of project name since a command last started it (as `docker inspect`'s
// RestartCount); containers never restarted are absent. A project never brought up, or
// whose supervisor never restarted anything, yields an empty map.
func (c Config) RestartCounts(name string) (map[string]int, error) {
	recs, err := c.paths().LoadRestarts(name)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for id, r := range recs {
		if r.Count > 0 {
			out[id] = r.Count
		}
	}
	return out, nil
}

// RunSupervisor runs the supervisor of project name until Down asks it to exit or ctx
// ends. Only one supervisor runs per project: a second one returns an error wrapping
// ErrExists. It adopts whatever the project's state records.
func RunSupervisor(ctx context.Context, cfg Config, name string) error {
	ready := readyPipe()
	defer ready.Close()
	nd, err := cfg.netdriver()
	if err != nil {
		return err
	}
	return supervisor.Run(ctx, cfg.paths(), cfg.engine(), nd, name, func() {
		ready.Write([]byte{1})
		ready.Close()
	})
}

// readyPipe returns the pipe startSupervisor passed (EnvReadyFD), made close-on-exec at
// once so that no shim or container inherits it, and unsets the variable. Without one
// (a supervisor started by hand) it returns nil, whose Write and Close fail harmlessly.
func readyPipe() *os.File {
	v, ok := os.LookupEnv(EnvReadyFD)
	os.Unsetenv(EnvReadyFD)
	fd, err := strconv.Atoi(v)
	if !ok || err != nil || fd < 3 {
		return nil
	}
	syscall.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), "supervisor-ready")
}

type restartRecord = state.RestartRecord

var countExit = supervisor.CountExit

func (c Config) loadRestarts(name string) (map[string]restartRecord, error) {
	return c.paths().LoadRestarts(name)
}

func (c Config) saveRestarts(name string, recs map[string]restartRecord) error {
	return c.paths().SaveRestarts(name, recs)
}
