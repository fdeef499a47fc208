package project

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

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
	if c.supervisorAlive(name) {
		return c.client(name), nil
	}
	exe, err := c.executable()
	if err != nil {
		return nil, fmt.Errorf("start supervisor of %q: %w", name, err)
	}
	dir, err := c.runDir(name)
	if err != nil {
		return nil, fmt.Errorf("start supervisor of %q: %w", name, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("start supervisor of %q: %w", name, err)
	}
	logf, err := os.OpenFile(filepath.Join(dir, "supervisor.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("start supervisor of %q: %w", name, err)
	}
	defer logf.Close()
	cmd := exec.Command(exe, SupervisorCommand, name)
	cmd.Env = append(os.Environ(), c.environ()...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start supervisor of %q: %w", name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "supervisor.log"))
			return nil, fmt.Errorf("supervisor of %q exited (%v): %s", name, err, lastLine(log))
		case <-time.After(5 * time.Millisecond):
		}
		if c.supervisorAlive(name) {
			return c.client(name), nil
		}
	}
	return nil, fmt.Errorf("supervisor of %q does not answer on %s", name, c.client(name).Sock)
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
// re-executed as `<exe> _supervise <project>`.
const SupervisorCommand = "_supervise"

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
	nd, err := cfg.netdriver()
	if err != nil {
		return err
	}
	return supervisor.Run(ctx, cfg.paths(), cfg.engine(), nd, name)
}

type restartRecord = state.RestartRecord

var countExit = supervisor.CountExit

func (c Config) loadRestarts(name string) (map[string]restartRecord, error) {
	return c.paths().LoadRestarts(name)
}

func (c Config) saveRestarts(name string, recs map[string]restartRecord) error {
	return c.paths().SaveRestarts(name, recs)
}
