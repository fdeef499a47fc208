// Package atomicfile replaces a file's content all at once, for berth's state files
// (container, project, network and image state, the build cache index): a reader, or
// whatever process comes after a crash or a full disk, sees either the old content or
// the new one, never an empty or half-written file.
//
// WriteFile writes a temp file in the target's directory, checks every write (a short
// write and ENOSPC are errors), fsyncs it, closes it (checked: some file systems report
// late errors there) and renames it over the target. On any failure the temp file is
// removed and the target is left as it was. It imports only the standard library and
// x/sys/unix, so that every package may use it (engine, netdriver, project, builder).
//
// The directory is not fsynced: after a power loss the rename may be lost, which leaves
// the previous complete file (berth's kernel objects, which its state records, are gone
// after a reboot as well), never a broken one.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// WriteFile replaces path with data, created with perm (before the umask), through a
// synced temp file in path's directory (which must exist) and a rename. Errors are
// *fs.PathError naming the temp file or path; on error path is unchanged and no temp
// file is left. Concurrent writers of one path do not disturb each other: the last
// rename wins.
//
// It uses plain system calls (no os.File): an os.File registers its descriptor with
// the runtime's poller, which costs several more system calls on a hot path (a
// container's start writes its state through here).
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return replace(path, data, perm, true)
}

// WriteFileReserved is WriteFile for state that matters only while the machine runs (a
// container's config and state: its processes and mounts do not outlive a reboot
// either). Instead of an fsync (about 2 ms on this kind of disk, several times per
// container start), the temp file's blocks are reserved with fallocate before it is
// written: a full disk fails there, before the rename, so path still never becomes
// empty or partial while the system runs. After a power loss the new content may be
// lost (ext4's rename heuristic flushes it; other file systems may leave an empty
// file, which readers report as unreadable state). Where fallocate is not supported
// it syncs, as WriteFile.
func WriteFileReserved(path string, data []byte, perm os.FileMode) error {
	return replace(path, data, perm, false)
}

func replace(path string, data []byte, perm os.FileMode, sync bool) error {
	tmp, fd, err := createTemp(path, perm)
	if err != nil {
		return err
	}
	if !sync && len(data) > 0 {
		err := unix.Fallocate(fd, 0, 0, int64(len(data)))
		for err == unix.EINTR {
			err = unix.Fallocate(fd, 0, 0, int64(len(data)))
		}
		switch {
		case err == unix.EOPNOTSUPP || err == unix.ENOSYS:
			sync = true
		case err != nil:
			unix.Close(fd)
			unix.Unlink(tmp)
			return &fs.PathError{Op: "reserve", Path: tmp, Err: err}
		}
	}
	if err := fill(fd, tmp, data, sync); err != nil {
		unix.Close(fd)
		unix.Unlink(tmp)
		return err
	}
	if err := unix.Close(fd); err != nil {
		unix.Unlink(tmp)
		return &fs.PathError{Op: "close", Path: tmp, Err: err}
	}
	if err := unix.Rename(tmp, path); err != nil {
		unix.Unlink(tmp)
		return &fs.PathError{Op: "rename", Path: path, Err: err}
	}
	return nil
}

// createTemp makes a new file beside path, named .<base>.<random>.tmp, opened for
// writing.
func createTemp(path string, perm os.FileMode) (string, int, error) {
	dir, base := filepath.Split(path)
	for i := 0; ; i++ {
		tmp := filepath.Join(dir, "."+base+"."+randomSuffix()+".tmp")
		fd, err := unix.Open(tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, uint32(perm.Perm()))
		if err == unix.EEXIST && i < 10 {
			continue
		}
		if err != nil {
			return "", -1, &fs.PathError{Op: "create", Path: tmp, Err: err}
		}
		return tmp, fd, nil
	}
}

func randomSuffix() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// fill writes all of data to fd and syncs it.
func fill(fd int, name string, data []byte, sync bool) error {
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &fs.PathError{Op: "write", Path: name, Err: err}
		}
		if n == 0 {
			return &fs.PathError{Op: "write", Path: name, Err: fmt.Errorf("short write: %w", unix.EIO)}
		}
		data = data[n:]
	}
	for sync {
		err := unix.Fsync(fd)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &fs.PathError{Op: "sync", Path: name, Err: err}
		}
		break
	}
	return nil
}
