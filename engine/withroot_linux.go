package engine

import (
	"fmt"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/internal/threads"
)

// WithRootfs calls fn with an O_PATH descriptor of container id's root directory as
// its processes see it: the image's layers, the writable layer, and its volumes and
// bind mounts. For a running (or paused) container that is /proc/<init>/root; for a
// created or exited one the overlay and the spec's mounts are made for fn alone, in a
// mount namespace of a thread of its own that is thrown away afterwards, while fn runs
// on that thread under the container's Lock (so a Start waits for it). The descriptor
// is valid only during fn. Paths below it must be resolved inside it
// (openat2 RESOLVE_IN_ROOT): it is the container's tree.
func (e *Engine) WithRootfs(id string, fn func(root int) error) error {
	st, err := e.State(id)
	if err != nil {
		return err
	}
	if st.Status == StatusRunning || st.Status == StatusPaused {
		return e.withRunningRoot(id, st.Pid, fn)
	}
	unlock, err := e.Lock(id)
	if err != nil {
		return err
	}
	defer unlock()
	if st, err = e.State(id); err != nil {
		return err
	}
	if st.Status == StatusRunning || st.Status == StatusPaused { // started before the lock
		return e.withRunningRoot(id, st.Pid, fn)
	}
	var spec Spec
	dir, _ := e.dir(id) // State checked id
	if err := readJSON(filepath.Join(dir, "config.json"), &spec); err != nil {
		return fmt.Errorf("root of container %q: %w", id, err)
	}
	if spec.LayerDirs, err = e.lowerDirs(spec.LayerDirs); err != nil {
		return fmt.Errorf("root of container %q: %w", id, err)
	}
	done := make(chan error, 1)
	go threads.Discard(func() { done <- withStoppedRoot(dir, &spec, fn) })
	if err := <-done; err != nil {
		return fmt.Errorf("root of container %q: %w", id, err)
	}
	return nil
}

// withRunningRoot opens /proc/<pid>/root and checks that pid is still the container's
// init after the open, so that a pid reused by another process is never taken for it.
func (e *Engine) withRunningRoot(id string, pid int, fn func(int) error) error {
	fd, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("root of container %q: open root of pid %d: %w", id, pid, err)
	}
	defer unix.Close(fd)
	if st, err := e.State(id); err != nil || st.Pid != pid || (st.Status != StatusRunning && st.Status != StatusPaused) {
		return fmt.Errorf("root of container %q: it stopped meanwhile: %w", id, ErrNotRunning)
	}
	return fn(fd)
}

// withStoppedRoot mounts the container's rootfs and mounts in a new mount namespace of
// this (discarded) thread and calls fn with the root.
func withStoppedRoot(dir string, spec *Spec, fn func(int) error) error {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("new mount namespace: %w", err)
	}
	if err := mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return err
	}
	root := filepath.Join(dir, "rootfs")
	if err := mountOverlay(dir, root, spec.LayerDirs); err != nil {
		return err
	}
	for _, m := range spec.Mounts {
		if err := mountUser(root, m); err != nil {
			return err
		}
	}
	fd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open rootfs: %w", err)
	}
	defer unix.Close(fd)
	return fn(fd)
}
