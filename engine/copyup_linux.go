package engine

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// copyUp copies the directory src of the container's rootfs (mounted, before
// pivot_root) into the empty directory dst, as Docker populates a new volume with the
// image's content at its mount point. A missing or non-directory src, or a dst that
// is not empty, copies nothing. Directories on another filesystem than src (proc, sys,
// dev when src is "/") are not descended into.
func copyUp(src, dst string) error {
	var top unix.Stat_t
	if err := unix.Lstat(src, &top); errors.Is(err, unix.ENOENT) {
		return nil
	} else if err != nil {
		return &os.PathError{Op: "lstat", Path: src, Err: err}
	}
	if top.Mode&unix.S_IFMT != unix.S_IFDIR {
		return nil
	}
	if empty, err := isEmptyDir(dst); err != nil || !empty {
		return err
	}
	c := &copier{dev: top.Dev, links: map[uint64]string{}}
	err := filepath.WalkDir(src, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		return c.entry(path, filepath.Join(dst, rel), rel == ".")
	})
	if err != nil {
		return err
	}
	// Directory times last: creating their entries changed them.
	for i := len(c.dirs) - 1; i >= 0; i-- {
		if err := setTimes(c.dirs[i].path, &c.dirs[i].st); err != nil {
			return err
		}
	}
	return nil
}

// copier is the state of one copyUp walk.
type copier struct {
	dev   uint64
	links map[uint64]string // inode of a hard-linked file -> its first copy
	dirs  []copiedDir
}

type copiedDir struct {
	path string
	st   unix.Stat_t
}

// entry copies one file, directory, link or node from to to; top is the walk's root,
// whose copy (dst) exists already.
func (c *copier) entry(from, to string, top bool) error {
	var st unix.Stat_t
	if err := unix.Lstat(from, &st); err != nil {
		return &os.PathError{Op: "lstat", Path: from, Err: err}
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		if st.Dev != c.dev {
			return filepath.SkipDir
		}
		if !top {
			if err := os.Mkdir(to, 0o700); err != nil {
				return err
			}
		}
		c.dirs = append(c.dirs, copiedDir{to, st})
	case unix.S_IFREG:
		if st.Nlink > 1 {
			if first, ok := c.links[st.Ino]; ok {
				return os.Link(first, to)
			}
			c.links[st.Ino] = to
		}
		if err := copyFile(from, to); err != nil {
			return err
		}
	case unix.S_IFLNK:
		target, err := os.Readlink(from)
		if err != nil {
			return err
		}
		if err := os.Symlink(target, to); err != nil {
			return err
		}
	default: // devices, fifos, sockets
		if err := unix.Mknod(to, st.Mode, int(st.Rdev)); err != nil {
			return &os.PathError{Op: "mknod", Path: to, Err: err}
		}
	}
	return setAttrs(to, &st)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %q: %w", from, err)
	}
	return out.Close()
}

// setAttrs gives path the owner and mode of st (the mode after the owner: chown
// clears set-id bits), and the times of st unless path is a directory.
func setAttrs(path string, st *unix.Stat_t) error {
	if err := os.Lchown(path, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	kind := st.Mode & unix.S_IFMT
	if kind != unix.S_IFLNK {
		if err := unix.Fchmodat(unix.AT_FDCWD, path, st.Mode&0o7777, 0); err != nil {
			return &os.PathError{Op: "chmod", Path: path, Err: err}
		}
	}
	if kind == unix.S_IFDIR {
		return nil
	}
	return setTimes(path, st)
}

func setTimes(path string, st *unix.Stat_t) error {
	ts := []unix.Timespec{st.Atim, st.Mtim}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, path, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimes", Path: path, Err: err}
	}
	return nil
}

func isEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); errors.Is(err, io.EOF) {
		return true, nil
	} else if err != nil {
		return false, fmt.Errorf("read %q: %w", dir, err)
	}
	return false, nil
}
