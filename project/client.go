package project

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// client talks to a project's supervisor over its unix socket.
type client struct {
	http *http.Client
}

func (c Config) client(name string) *client {
	sock := c.socketPath(name)
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}
	return &client{http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (cl *client) do(method, path string, out any) error {
	req, err := http.NewRequest(method, "http://supervisor"+path, nil)
	if err != nil {
		return err
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("supervisor: %s", strings.TrimSpace(string(b)))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// supervisorAlive reports whether the project's supervisor answers.
func (c Config) supervisorAlive(name string) bool {
	cl := c.client(name)
	cl.http.Timeout = time.Second
	return cl.do("GET", "/ping", nil) == nil
}

// syncSupervisor asks the project's supervisor, when one answers, to sync with the
// state; without one there is nothing to sync.
func (c Config) syncSupervisor(name string) error {
	if !c.supervisorAlive(name) {
		return nil
	}
	return c.client(name).do("POST", "/sync", nil)
}

// ensureSupervisor starts the project's supervisor unless one answers, and waits until
// it listens. A new supervisor adopts the containers recorded in state.
func (c Config) ensureSupervisor(name string) (*client, error) {
	if c.supervisorAlive(name) {
		return c.client(name), nil
	}
	exe := c.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("start supervisor of %q: %w", name, err)
		}
	}
	dir := c.runDir(name)
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
	return nil, fmt.Errorf("supervisor of %q does not answer on %s", name, c.socketPath(name))
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
	if !c.supervisorAlive(name) {
		return nil
	}
	var h map[string]string
	if c.client(name).do("GET", "/health", &h) != nil {
		return nil
	}
	return h
}
