package project

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The supervisor protocol, on the project's root-only unix socket: one connection per
// request; the client writes one line (a request word: ping, sync, health, shutdown), the
// supervisor answers "ok\n" and a body (JSON for health) or "error\n" and a message,
// then closes. It is this small so that a command's first request costs a few system
// calls, not an HTTP client's first use.
const (
	reqPing     = "ping"
	reqSync     = "sync"
	reqHealth   = "health"
	reqShutdown = "shutdown"
)

// errNoSupervisor: nothing listens on the project's socket.
var errNoSupervisor = errors.New("no supervisor answers")

// client talks to a project's supervisor over its unix socket.
type client struct {
	sock    string
	timeout time.Duration // for each system call of a request
	err     error         // a project name that makes no socket path
}

func (c Config) client(name string) *client {
	sock, err := c.socketPath(name)
	return &client{sock: sock, timeout: 30 * time.Second, err: err}
}

// do sends request and decodes the answer's body into out (when non-nil). Without a
// supervisor the error wraps errNoSupervisor.
func (cl *client) do(request string, out any) error {
	body, err := cl.call(request)
	if err != nil {
		return fmt.Errorf("supervisor: %s: %w", request, err)
	}
	if out != nil {
		return json.Unmarshal(body, out)
	}
	return nil
}

// call makes the request with blocking system calls on a socket of its own: no poller,
// no HTTP.
func (cl *client) call(request string) ([]byte, error) {
	if cl.err != nil {
		return nil, cl.err
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval(cl.timeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, err
	}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv); err != nil {
		return nil, err
	}
	if err := retryEINTR(func() error { return unix.Connect(fd, &unix.SockaddrUnix{Name: cl.sock}) }); err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ECONNREFUSED) {
			return nil, errNoSupervisor
		}
		return nil, fmt.Errorf("connect %s: %w", cl.sock, err)
	}
	if err := retryEINTR(func() error { _, err := unix.Write(fd, []byte(request+"\n")); return err }); err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	var reply []byte
	buf := make([]byte, 4096)
	for {
		var n int
		err := retryEINTR(func() (err error) { n, err = unix.Read(fd, buf); return err })
		if errors.Is(err, unix.EAGAIN) {
			return nil, fmt.Errorf("no answer within %s", cl.timeout)
		} else if err != nil {
			return nil, fmt.Errorf("read answer: %w", err)
		}
		if n == 0 {
			break
		}
		reply = append(reply, buf[:n]...)
	}
	status, body, _ := strings.Cut(string(reply), "\n")
	switch status {
	case "ok":
		return []byte(body), nil
	case "error":
		return nil, errors.New(strings.TrimSpace(body))
	}
	return nil, fmt.Errorf("malformed answer %q", reply)
}

// retryEINTR calls f again while it is interrupted by a signal (a socket with a
// timeout is not restarted automatically, and the Go runtime signals its threads).
func retryEINTR(f func() error) error {
	for {
		if err := f(); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// supervisorAlive reports whether the project's supervisor answers.
func (c Config) supervisorAlive(name string) bool {
	cl := c.client(name)
	cl.timeout = time.Second
	return cl.do(reqPing, nil) == nil
}

// syncSupervisor asks the project's supervisor, when one answers, to sync with the
// state; without one there is nothing to sync.
func (c Config) syncSupervisor(name string) error {
	if err := c.client(name).do(reqSync, nil); err != nil && !errors.Is(err, errNoSupervisor) {
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
	return nil, fmt.Errorf("supervisor of %q does not answer on %s", name, c.client(name).sock)
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
	if c.client(name).do(reqHealth, &h) != nil {
		return nil
	}
	return h
}
