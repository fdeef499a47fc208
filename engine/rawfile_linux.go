package engine

import (
	"bytes"
	"encoding/binary"
	"io"
	"io/fs"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// readFile and writeFile are os.ReadFile and os.WriteFile in plain system calls. An
// os.File registers its descriptor with the runtime's poller (and cgroupfs files are
// pollable), which costs four to six more system calls per file; a container's start
// is mostly system calls, so its own files go through these. Errors are *fs.PathError,
// as os's.
func readFile(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	b := make([]byte, 0, 4096)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := unix.Read(fd, b[len(b):cap(b)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return b, nil
		}
		b = b[:len(b)+n]
	}
}

// writeFile writes data to path, creating it with perm or truncating it (cgroup
// control files take each write as one value).
func writeFile(path string, data []byte, perm os.FileMode) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			unix.Close(fd)
			return &fs.PathError{Op: "write", Path: path, Err: err}
		}
		data = data[n:]
	}
	if err := unix.Close(fd); err != nil {
		return &fs.PathError{Op: "close", Path: path, Err: err}
	}
	return nil
}

// writeValues writes each value to the existing file path with a write(2) of its own,
// through one descriptor: a cgroup v1 control file takes each write as one value
// (devices.allow: one rule), and the open of a cgroup file costs about what a write
// does. The error names the value that failed.
func writeValues(path string, vals []string) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	for _, v := range vals {
		n, err := unix.Write(fd, []byte(v))
		for err == unix.EINTR {
			n, err = unix.Write(fd, []byte(v))
		}
		if err == nil && n < len(v) {
			err = io.ErrShortWrite
		}
		if err != nil {
			return &fs.PathError{Op: "write " + strconv.Quote(v) + " to", Path: path, Err: err}
		}
	}
	return nil
}

// mkdirs is os.MkdirAll in one system call when the parent exists, or the path does.
func mkdirs(path string, perm os.FileMode) error {
	err := unix.Mkdir(path, uint32(perm.Perm()))
	if err == nil || err == unix.EEXIST {
		return nil
	}
	if err == unix.ENOENT {
		return os.MkdirAll(path, perm)
	}
	return &fs.PathError{Op: "mkdir", Path: path, Err: err}
}

// readDirNames lists the names in dir (unsorted), with getdents(2) on a plain
// descriptor (see readFile).
func readDirNames(dir string) ([]string, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	var names []string
	buf := make([]byte, 8192)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: dir, Err: err}
		}
		if n == 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names) // without . and ..
	}
}

// removeTree is os.RemoveAll(path) in fewer system calls, for container dirs: each
// directory is read once, and a subdirectory is first simply rmdir'ed (most are empty)
// and read only when that fails.
func removeTree(path string) error {
	err := removeAt(unix.AT_FDCWD, path, true)
	if err != nil {
		return &fs.PathError{Op: "remove", Path: path, Err: err}
	}
	return nil
}

// removeAt removes name (relative to dirfd), a directory if isDir.
func removeAt(dirfd int, name string, isDir bool) error {
	if !isDir {
		err := unix.Unlinkat(dirfd, name, 0)
		if err != unix.EISDIR {
			return ignoreNotExist(err)
		}
	}
	err := unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR)
	switch err {
	case nil, unix.ENOENT:
		return nil
	case unix.ENOTDIR:
		return ignoreNotExist(unix.Unlinkat(dirfd, name, 0))
	case unix.ENOTEMPTY, unix.EEXIST:
	default:
		return err
	}
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return ignoreNotExist(err)
	}
	buf := make([]byte, 8192)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			unix.Close(fd)
			return err
		}
		if n == 0 {
			break
		}
		// struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, name\0
		for off := 0; off < n; {
			reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
			typ := buf[off+18]
			child := buf[off+19 : off+reclen]
			if i := bytes.IndexByte(child, 0); i >= 0 {
				child = child[:i]
			}
			off += reclen
			if c := string(child); c != "." && c != ".." {
				if err := removeAt(fd, c, typ == unix.DT_DIR); err != nil {
					unix.Close(fd)
					return err
				}
			}
		}
	}
	unix.Close(fd)
	return ignoreNotExist(unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR))
}

func ignoreNotExist(err error) error {
	if err == unix.ENOENT {
		return nil
	}
	return err
}
