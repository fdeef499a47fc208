package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// stdinSocket is the unix socket in the container dir on which the shim of a
// container with Spec.OpenStdin hands out the container's stdin.
const stdinSocket = "stdin.sock"

// sockPath names the socket through dir's fd, so that its length never depends on the
// engine root's: sun_path holds 108 bytes, a container dir under a long root more.
func sockPath(dir *os.File) string {
	return "/proc/self/fd/" + strconv.Itoa(int(dir.Fd())) + "/" + stdinSocket
}

// exitedSince reports whether the container is no longer running.
func (e *Engine) exitedSince(id string) bool {
	st, err := e.State(id)
	return err == nil && st.Status != StatusRunning && st.Status != StatusPaused
}

// AttachStdin returns the stdin of the running container id, which must have been
// created with Spec.OpenStdin: the write end of its stdin pipe (closing it is EOF for
// the container), or with Spec.Tty the pty's master (write keystrokes; set the window
// size with TIOCSWINSZ; the output still goes to the log). The caller owns the file.
// Stdin is handed out once per start, as Docker's stdin_once: a second call, or one
// for a container without OpenStdin, returns ErrInvalid; a container that is not
// running returns ErrNotRunning.
func (e *Engine) AttachStdin(id string) (*os.File, error) {
	st, err := e.State(id)
	if err != nil {
		return nil, err
	}
	if st.Status != StatusRunning && st.Status != StatusPaused {
		return nil, fmt.Errorf("attach stdin of container %q: %w", id, ErrNotRunning)
	}
	dir, err := e.dir(id)
	if err != nil {
		return nil, err
	}
	d, err := os.OpenFile(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("attach stdin of container %q: %w", id, err)
	}
	defer d.Close()
	// The shim closes the socket when it hands stdin out, or after it recorded the
	// container's exit: a failed attach is one of the two.
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: sockPath(d), Net: "unix"})
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ECONNREFUSED) {
		if e.exitedSince(id) {
			return nil, fmt.Errorf("attach stdin of container %q: %w", id, ErrNotRunning)
		}
		return nil, fmt.Errorf("attach stdin of container %q: stdin is not open or already attached: %w", id, ErrInvalid)
	}
	if err != nil {
		return nil, fmt.Errorf("attach stdin of container %q: %w", id, err)
	}
	defer c.Close()
	buf, oob := make([]byte, 1), make([]byte, unix.CmsgSpace(4))
	// A client queued while another was served sees the socket closed: reset or EOF.
	_, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil || oobn == 0 {
		if e.exitedSince(id) {
			return nil, fmt.Errorf("attach stdin of container %q: %w", id, ErrNotRunning)
		}
		return nil, fmt.Errorf("attach stdin of container %q: already attached: %w", id, ErrInvalid)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, fmt.Errorf("attach stdin of container %q: %w", id, err)
	}
	if len(msgs) != 1 {
		return nil, fmt.Errorf("attach stdin of container %q: %d control messages: %w", id, len(msgs), ErrInvalid)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil {
		return nil, fmt.Errorf("attach stdin of container %q: %w", id, err)
	}
	if len(fds) != 1 {
		return nil, fmt.Errorf("attach stdin of container %q: %d descriptors: %w", id, len(fds), ErrInvalid)
	}
	unix.CloseOnExec(fds[0])
	return os.NewFile(uintptr(fds[0]), "stdin-"+id), nil
}
