package engine

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// openPTY returns a new pseudo-terminal's master and slave, for an exec with a
// terminal (OpenPTY): the slave becomes the process's stdin/stdout/stderr and
// controlling terminal. A container's own terminal is the shim's (engine/shim).
func openPTY() (master, slave *os.File, err error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("pty number: %w", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("open pty slave: %w", err)
	}
	return m, s, nil
}

// OpenPTYIn returns a new pseudo-terminal of running container id's own devpts
// (its /dev/pts), for ExecSpec.Tty: the process then sees its terminal as
// /dev/pts/N, as under Docker, where one of the host's devpts is out of its sight
// (`tty` says "not a tty"). The path is resolved inside the container's root and
// must be a devpts ptmx; the slave comes from the master (TIOCGPTPEER), never from a
// path the container controls. The caller owns both.
func (e *Engine) OpenPTYIn(id string) (master, slave *os.File, err error) {
	st, err := e.State(id)
	if err != nil {
		return nil, nil, err
	}
	if st.Status != StatusRunning {
		return nil, nil, fmt.Errorf("open pty in container %q: %w", id, ErrNotRunning)
	}
	root, err := unix.Open("/proc/"+strconv.Itoa(st.Pid)+"/root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open pty in container %q: %w", id, err)
	}
	defer unix.Close(root)
	m, err := unix.Openat2(root, "dev/pts/ptmx", &unix.OpenHow{Flags: unix.O_RDWR | unix.O_NOCTTY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS})
	if err != nil {
		return nil, nil, fmt.Errorf("open pty in container %q: %w", id, err)
	}
	mf := os.NewFile(uintptr(m), "ptmx")
	s, err := ptyPeer(m)
	if err != nil {
		mf.Close()
		return nil, nil, fmt.Errorf("open pty in container %q: %w", id, err)
	}
	return mf, s, nil
}

// ptyPeer checks that m is a pty master (char 5:2), unlocks it and opens its slave.
func ptyPeer(m int) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(m, &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 5 || unix.Minor(st.Rdev) != 2 {
		return nil, fmt.Errorf("/dev/pts/ptmx is not a pty master: %w", ErrInvalid)
	}
	if err := unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0); err != nil {
		return nil, fmt.Errorf("unlock pty: %w", err)
	}
	s, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(m), unix.TIOCGPTPEER, uintptr(unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC))
	if errno != 0 {
		return nil, fmt.Errorf("open pty slave: %w", errno)
	}
	return os.NewFile(s, "pty"), nil
}
