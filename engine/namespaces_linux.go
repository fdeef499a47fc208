package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine/shimproto"
	"golang.org/x/sys/unix"
)

// The values of Spec's UTSMode, IPCMode and PIDMode besides "" (a new namespace).
const (
	NSHost      = "host"
	NSPrivate   = "private"
	NSShareable = "shareable"
	NSNone      = "none"       // IPCMode: a new ipc namespace without /dev/shm
	NSContainer = "container:" // followed by the ID of the container whose namespace is joined
)

// nsJoins are the uts, ipc and pid namespaces Start resolved for a container: "" a new
// one, NSHost the host's (the starter's), or a /proc/<pid>/ns/<kind> path to join; shm is
// the host directory bind-mounted as its /dev/shm ("" for a tmpfs of its own): the
// host's, or the shareable one mounted in its or the joined container's dir.
type nsJoins struct {
	uts, ipc, pid, shm string
	net                string // the path of another container's network namespace, if Spec.NetNSPath names one
}

// resolveNamespaces resolves the namespace modes of spec, the container in dir, to
// the namespaces of the running containers they name, and mounts its /dev/shm on the
// host when its ipc namespace is shareable. It returns ErrInvalid for a mode it does
// not know, a container that is not running or whose ipc namespace is not shareable,
// ErrNotFound for an unknown one.
func (e *Engine) resolveNamespaces(dir string, spec *Spec) (nsJoins, error) {
	var j nsJoins
	var err error
	if j.uts, err = e.nsPath("uts", spec.UTSMode); err != nil {
		return j, err
	}
	if j.ipc, err = e.nsPath("ipc", spec.IPCMode); err != nil {
		return j, err
	}
	if j.pid, err = e.nsPath("pid", spec.PIDMode); err != nil {
		return j, err
	}
	if strings.HasPrefix(spec.NetNSPath, NSContainer) {
		if j.net, err = e.nsPath("net", spec.NetNSPath); err != nil {
			return j, err
		}
	}
	switch {
	case j.ipc == NSHost:
		j.shm = "/dev/shm"
	case spec.IPCMode == NSShareable:
		j.shm = shmDir(dir)
		err = ensureShm(j.shm, spec.ShmSize)
	case j.ipc != "":
		j.shm, err = e.sharedShm(strings.TrimPrefix(spec.IPCMode, NSContainer))
	}
	return j, err
}

// sharedShm is the /dev/shm of container id, whose ipc namespace another joins: it
// must be shareable, as with Docker.
func (e *Engine) sharedShm(id string) (string, error) {
	dir, err := e.dir(id)
	if err != nil {
		return "", err
	}
	var in, top unix.Stat_t
	if unix.Stat(shmDir(dir), &in) != nil || unix.Stat(dir, &top) != nil || in.Dev == top.Dev {
		return "", fmt.Errorf("ipc namespace of container %q: it is not shareable (ipc: shareable): %w", id, ErrInvalid)
	}
	return shmDir(dir), nil
}

// shmDir is where the /dev/shm of the container in dir is mounted on the host when its
// ipc namespace is shareable, so that the containers joining it bind the same one
// (Docker's mounts/shm). Remove unmounts it.
func shmDir(dir string) string { return filepath.Join(dir, "shm") }

// ensureShm mounts a tmpfs of size bytes (64 MiB for 0) at path unless one is there.
func ensureShm(path string, size int64) error {
	if err := os.Mkdir(path, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("shareable /dev/shm: %w", err)
	}
	var in, parent unix.Stat_t
	if err := unix.Stat(path, &in); err != nil {
		return fmt.Errorf("shareable /dev/shm: %w", err)
	}
	if err := unix.Stat(filepath.Dir(path), &parent); err != nil {
		return fmt.Errorf("shareable /dev/shm: %w", err)
	}
	if in.Dev != parent.Dev { // mounted by an earlier start
		return nil
	}
	if size <= 0 {
		size = 64 << 20
	}
	return mount("shm", path, "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC|unix.MS_NODEV, fmt.Sprintf("mode=1777,size=%d", size))
}

// removeShm unmounts the shareable /dev/shm of the container in dir; none mounted is
// success.
func removeShm(dir string) error {
	err := unix.Unmount(shmDir(dir), unix.MNT_DETACH)
	if err != nil && err != unix.EINVAL && err != unix.ENOENT {
		return fmt.Errorf("unmount %s: %w", shmDir(dir), err)
	}
	return nil
}

// nsPath is the namespace of kind that mode names: "" for a new one, NSHost, or the
// /proc/<pid>/ns path of the container's PID 1.
func (e *Engine) nsPath(kind, mode string) (string, error) {
	switch mode {
	case "", NSPrivate, NSShareable, NSNone:
		return "", nil
	case NSHost:
		return NSHost, nil
	}
	id, ok := strings.CutPrefix(mode, NSContainer)
	if !ok {
		return "", fmt.Errorf("%s namespace %q: %w", kind, mode, ErrInvalid)
	}
	st, err := e.State(id)
	if err != nil {
		return "", fmt.Errorf("%s namespace of container %q: %w", kind, id, err)
	}
	if st.Status != StatusRunning && st.Status != StatusPaused {
		return "", fmt.Errorf("%s namespace of container %q: it is %s, not running: %w", kind, id, st.Status, ErrInvalid)
	}
	return fmt.Sprintf("/proc/%d/ns/%s", st.Pid, kind), nil
}

// unshareFlags are the namespaces the starter's thread makes for the container: a
// mount namespace always, uts and ipc unless j shares them.
func (j nsJoins) unshareFlags() int {
	flags := unix.CLONE_NEWNS
	if j.uts == "" {
		flags |= unix.CLONE_NEWUTS
	}
	if j.ipc == "" {
		flags |= unix.CLONE_NEWIPC
	}
	return flags
}

// enter makes the calling thread join the uts and ipc namespaces j names of another
// container (the host's are the thread's already), so that PID 1 finds them there.
func (j nsJoins) enter() error {
	for _, n := range []struct {
		path string
		kind int
	}{{j.uts, unix.CLONE_NEWUTS}, {j.ipc, unix.CLONE_NEWIPC}} {
		if n.path == "" || n.path == NSHost {
			continue
		}
		if err := setnsPath(n.path, n.kind); err != nil {
			return err
		}
	}
	return nil
}

// setnsPath makes the calling thread join the namespace at path.
func setnsPath(path string, kind int) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open namespace %s: %w", path, err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, kind); err != nil {
		return fmt.Errorf("join namespace %s: %w", path, err)
	}
	return nil
}

// pidNS is the shim's pidns record for j: "new", "host" or the path to join.
func (j nsJoins) pidNS() string {
	switch j.pid {
	case "":
		return string(shimproto.NetNew)
	case NSHost:
		return string(shimproto.NetHost)
	}
	return j.pid
}
