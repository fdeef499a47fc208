package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/internal/threads"
)

// WithLayerView calls fn with the path of a read-only view of container id's own
// filesystem: its image layers, berth's init layer and its writable layer merged,
// without the volumes, bind mounts, /proc, /sys, /dev and /etc files mounted over
// them when it runs. That is what `docker export` archives. The view is an overlay
// whose lower dirs are the writable layer over the container's lower dirs, mounted in
// a mount namespace of a thread of its own that fn runs on and that is thrown away
// afterwards: fn must do its file system work itself, not in other goroutines. A
// running container's writable layer may change while fn reads it, as Docker's
// export; a stopped container is read under its Lock (so a Start waits).
func (e *Engine) WithLayerView(id string, fn func(root string) error) error {
	st, err := e.State(id)
	if err != nil {
		return err
	}
	if st.Status != StatusRunning && st.Status != StatusPaused {
		unlock, err := e.Lock(id)
		if err != nil {
			return err
		}
		defer unlock()
	}
	var spec Spec
	dir, _ := e.dir(id) // State checked id
	if err := readJSON(filepath.Join(dir, "config.json"), &spec); err != nil {
		return fmt.Errorf("layers of container %q: %w", id, err)
	}
	lowers, err := e.lowerDirs(spec.LayerDirs)
	if err != nil {
		return fmt.Errorf("layers of container %q: %w", id, err)
	}
	lowers = append(lowers, filepath.Join(dir, "upper"))
	done := make(chan error, 1)
	go threads.Discard(func() { done <- withLayerView(dir, lowers, fn) })
	if err := <-done; err != nil {
		return fmt.Errorf("layers of container %q: %w", id, err)
	}
	return nil
}

// withLayerView mounts lowers (base first) read-only in a new mount namespace of this
// (discarded) thread, on a work dir of its own under dir, and calls fn with it.
func withLayerView(dir string, lowers []string, fn func(string) error) error {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("new mount namespace: %w", err)
	}
	if err := mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return err
	}
	work, err := os.MkdirTemp(dir, "view-")
	if err != nil {
		return fmt.Errorf("layer view: %w", err)
	}
	defer os.RemoveAll(work)
	view := filepath.Join(work, "root")
	if err := mkdirs(view, 0o755); err != nil {
		return fmt.Errorf("layer view: %w", err)
	}
	if err := os.Chdir(work); err != nil {
		return fmt.Errorf("layer view: %w", err)
	}
	names := make([]string, len(lowers))
	plain := true
	for i, l := range lowers {
		names[len(lowers)-1-i] = l // the option lists the top layer first
		plain = plain && !strings.ContainsAny(l, ":,\\")
	}
	data := "lowerdir=" + strings.Join(names, ":")
	if !plain || len(data) >= overlayOptionsMax {
		if names, err = overlayLinks(work, lowers); err != nil {
			return err
		}
		data = "lowerdir=" + strings.Join(names, ":")
	}
	if err := mount("overlay", view, "overlay", unix.MS_RDONLY, data); err != nil {
		return err
	}
	defer unix.Unmount(view, unix.MNT_DETACH)
	return fn(view)
}
