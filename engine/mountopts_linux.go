package engine

import (
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// This file holds the mount options beyond read-only: subpaths, propagation, and
// image mounts.

// bindSource is what to bind for source and its subpath: source itself, or a
// /proc/self/fd path of subpath opened beneath source (openat2 RESOLVE_BENEATH: a
// ".." or symlink that leads out of source is an error, and the path cannot be
// swapped for a symlink between the check and the mount). done closes what it opened.
func bindSource(source, subpath string) (src string, done func(), err error) {
	if subpath == "" {
		return source, func() {}, nil
	}
	dir, err := unix.Open(source, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", nil, fmt.Errorf("mount source %q: %w", source, err)
	}
	defer unix.Close(dir)
	fd, err := unix.Openat2(dir, subpath, &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS})
	if err != nil {
		if err == unix.EXDEV {
			return "", nil, fmt.Errorf("subpath %q of %q leads out of it: %w", subpath, source, ErrInvalid)
		}
		return "", nil, fmt.Errorf("subpath %q of %q: %w", subpath, source, err)
	}
	return fmt.Sprintf("/proc/self/fd/%d", fd), func() { unix.Close(fd) }, nil
}

// mountImage mounts an image's layers read-only on target: an overlay of them (with
// no upper dir), or, for one layer (overlayfs wants two lower dirs without an upper),
// a read-only bind of it; then its Subpath, if any, over it.
func mountImage(target string, m Mount) error {
	if err := ensureMountpoint(target, true); err != nil {
		return err
	}
	layers := TopmostLayers(m.Image.Layers) // overlayfs refuses a dir given twice
	if len(layers) == 1 {
		if err := mount(layers[0], target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return err
		}
		if err := remountReadOnly(target); err != nil {
			return err
		}
	} else {
		lower := make([]string, len(layers))
		for i, l := range layers {
			if strings.ContainsAny(l, ":,\\") {
				return fmt.Errorf("image mount on %s: layer dir %q: %w", m.Target, l, ErrInvalid)
			}
			lower[len(layers)-1-i] = l // top first
		}
		data := "lowerdir=" + strings.Join(lower, ":")
		if len(data) >= overlayOptionsMax {
			return fmt.Errorf("image mount on %s: %d layers do not fit in the overlay's options: %w", m.Target, len(layers), ErrInvalid)
		}
		if err := mount("overlay", target, "overlay", unix.MS_RDONLY|unix.MS_NODEV|unix.MS_NOSUID, data); err != nil {
			return err
		}
	}
	if m.Subpath == "" {
		return nil
	}
	// The subpath is bound over the image's root at the same place.
	src, done, err := bindSource(target, m.Subpath)
	if err != nil {
		return err
	}
	defer done()
	if err := mount(src, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	return remountReadOnly(target)
}

// propagationFlags are the mount(2) flags of each Mount.Propagation.
var propagationFlags = map[string]uintptr{
	"private": unix.MS_PRIVATE, "rprivate": unix.MS_PRIVATE | unix.MS_REC,
	"shared": unix.MS_SHARED, "rshared": unix.MS_SHARED | unix.MS_REC,
	"slave": unix.MS_SLAVE, "rslave": unix.MS_SLAVE | unix.MS_REC,
}

// slaveRoot reports whether the container's mount namespace is made a slave of the
// host's (rather than private): when a mount asks for slave or shared propagation.
func (s *Spec) slaveRoot() bool {
	for _, m := range s.Mounts {
		if p := m.Propagation; p != "" && p != "private" && p != "rprivate" {
			return true
		}
	}
	return false
}

// setPropagation gives the bind or image mount at target its propagation: the
// spec's, else rprivate, Docker's default (which the namespace already has unless it
// is a slave of the host's: slaveRoot).
func setPropagation(target string, m Mount, slaveRoot bool) error {
	p := m.Propagation
	if m.Type == "tmpfs" || p == "" && !slaveRoot {
		return nil
	}
	if p == "" {
		p = "rprivate"
	}
	return mount("", target, "", propagationFlags[p], "")
}

// checkPropagation refuses, as Docker does, a bind whose propagation cannot work: a
// shared one (shared, rshared) needs its source on a shared mount, a slave one
// (slave, rslave) on a shared or slave mount. It reads the calling thread's
// mountinfo, which must still show the host's propagation (a new mount namespace
// before setupRootfs changes it: its copies of shared mounts are peers of the host's).
func checkPropagation(ms []Mount) error {
	var infos []mountInfo
	for _, m := range ms {
		shared := m.Propagation == "shared" || m.Propagation == "rshared"
		if !shared && m.Propagation != "slave" && m.Propagation != "rslave" {
			continue
		}
		if infos == nil {
			var err error
			if infos, err = readMountInfo("/proc/thread-self/mountinfo"); err != nil {
				return err
			}
		}
		src, err := filepath.EvalSymlinks(m.Source)
		if err != nil {
			return fmt.Errorf("bind mount source %q: %w", m.Source, err)
		}
		at := mountOf(infos, src)
		switch {
		case shared && !at.has("shared:"):
			return fmt.Errorf("path %s is mounted on %s but it is not a shared mount: %w", m.Source, at.point, ErrInvalid)
		case !shared && !at.has("shared:") && !at.has("master:"):
			return fmt.Errorf("path %s is mounted on %s but it is not a shared or slave mount: %w", m.Source, at.point, ErrInvalid)
		}
	}
	return nil
}
