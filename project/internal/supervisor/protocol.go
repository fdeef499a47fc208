package supervisor

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The supervisor protocol, on the project's root-only unix socket: one connection per
// request; the client writes one line (a request word: ping, sync, refresh, health,
// shutdown), the supervisor answers "ok\n" and a body (JSON for health) or "error\n"
// and a message, then closes. It is this small so that a command's first request costs
// a few system calls, not an HTTP client's first use.
const (
	ReqPing     = "ping"
	ReqSync     = "sync"
	ReqRefresh  = "refresh" // DNS records only, from every project's state (records.go)
	ReqHealth   = "health"
	ReqShutdown = "shutdown"
)

// ErrNoSupervisor: nothing listens on the project's socket.
var ErrNoSupervisor = errors.New("no supervisor answers")

// Client talks to a project's supervisor over its unix socket.
type Client struct {
	Sock    string
	Timeout time.Duration // for each system call of a request
	err     error         // a project name that makes no socket path
}

// NewClient is a client of the supervisor listening on sock, with a timeout of 30s for
// each system call; err (the socket path could not be made) is returned by each request.
func NewClient(sock string, err error) *Client {
	return &Client{Sock: sock, Timeout: 30 * time.Second, err: err}
}

// Do sends request and decodes the answer's body into out (when non-nil). Without a
// supervisor the error wraps ErrNoSupervisor.
func (cl *Client) Do(request string, out any) error {
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
func (cl *Client) call(request string) ([]byte, error) {
	if cl.err != nil {
		return nil, cl.err
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval(cl.Timeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, err
	}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv); err != nil {
		return nil, err
	}
	if err := retryEINTR(func() error { return unix.Connect(fd, &unix.SockaddrUnix{Name: cl.Sock}) }); err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ECONNREFUSED) {
			return nil, ErrNoSupervisor
		}
		return nil, fmt.Errorf("connect %s: %w", cl.Sock, err)
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
			return nil, fmt.Errorf("no answer within %s", cl.Timeout)
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

// Serve answers each connection to ln with answer until ln is closed: it
// reads one request line and writes "ok\n" and the body, or "error\n" and the error.
func Serve(ln net.Listener, answer func(request string) ([]byte, error)) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(time.Minute))
			line, err := bufio.NewReader(io.LimitReader(conn, 256)).ReadString('\n')
			if err != nil {
				return
			}
			body, err := answer(strings.TrimSuffix(line, "\n"))
			reply := append([]byte("ok\n"), body...)
			if err != nil {
				reply = []byte("error\n" + err.Error())
			}
			conn.Write(reply)
		}()
	}
}
