package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// secureJoin resolves path inside root as if root were "/": symlinks (absolute or with
// "..") are followed but can never leave root. This is what stops a container image from
// redirecting a mount target to the host through a symlink.
func secureJoin(root, path string) (string, error) {
	var resolved string // relative to root, always clean, no leading slash
	rest := strings.Split(filepath.Clean("/"+path), "/")
	for links := 0; len(rest) > 0; {
		c := rest[0]
		rest = rest[1:]
		if c == "" || c == "." {
			continue
		}
		if c == ".." {
			resolved = filepath.Dir("/" + resolved)[1:]
			continue
		}
		next := filepath.Join(resolved, c)
		target, err := os.Readlink(filepath.Join(root, next))
		if err != nil {
			resolved = next // not a symlink, or does not exist yet
			continue
		}
		if links++; links > 255 {
			return "", fmt.Errorf("resolve %q in rootfs: too many symlinks", path)
		}
		if filepath.IsAbs(target) {
			resolved = ""
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return filepath.Join(root, resolved), nil
}

// mountUser performs one bind or tmpfs mount whose target is resolved inside root.
func mountUser(root string, m Mount) error {
	target, err := secureJoin(root, m.Target)
	if err != nil {
		return err
	}
	return mountUserAt(target, m)
}

// mountUserAt performs m on target, already resolved inside the rootfs.
func mountUserAt(target string, m Mount) error {
	switch m.Type {
	case "tmpfs":
		return mountTmpfs(target, m)
	case "image":
		return mountImage(target, m)
	}
	src, done, err := bindSource(m.Source, m.Subpath)
	if err != nil {
		return err
	}
	defer done()
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("bind mount source %q: %w", m.Source, err)
	}
	if m.CopyUp && m.Subpath == "" && fi.IsDir() {
		if err := copyUp(target, m.Source); err != nil {
			return fmt.Errorf("populate volume %q from %q: %w", m.Source, m.Target, err)
		}
	}
	if err := ensureMountpoint(target, fi.IsDir()); err != nil {
		return err
	}
	if err := mount(src, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	if m.ReadOnly {
		return remountReadOnly(target)
	}
	return nil
}

// keptMountFlags are the flags of a mount that a bind of it keeps when made read-only:
// statfs's ST_ flag and the mount's MS_ flag.
var keptMountFlags = [][2]uintptr{{unix.ST_NOSUID, unix.MS_NOSUID}, {unix.ST_NODEV, unix.MS_NODEV},
	{unix.ST_NOEXEC, unix.MS_NOEXEC}, {unix.ST_NOATIME, unix.MS_NOATIME}, {unix.ST_NODIRATIME, unix.MS_NODIRATIME},
	{unix.ST_RELATIME, unix.MS_RELATIME}}

// remountReadOnly makes the bind mount at target read-only. A bind remount sets the
// mount's flags to exactly those it is given, so the nosuid, nodev, noexec and atime
// flags of the source's mount (a host dir on a nosuid,nodev /home, the host's /sys)
// are read first and given again, as runc does: read-only must not lift them.
func remountReadOnly(target string) error {
	var st unix.Statfs_t
	if err := unix.Statfs(target, &st); err != nil {
		return fmt.Errorf("read-only bind %q: %w", target, err)
	}
	flags := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY | unix.MS_REC)
	for _, f := range keptMountFlags {
		if uintptr(st.Flags)&f[0] != 0 {
			flags |= f[1]
		}
	}
	return mount("", target, "", flags, "")
}

func mountTmpfs(target string, m Mount) error {
	if err := ensureMountpoint(target, true); err != nil {
		return err
	}
	mode := m.Mode
	if mode == 0 {
		mode = 0o1777
	}
	data := fmt.Sprintf("mode=%o", mode)
	if m.Size > 0 {
		data += fmt.Sprintf(",size=%d", m.Size)
	}
	if m.TmpfsData != "" {
		data += "," + m.TmpfsData
	}
	flags := uintptr(unix.MS_NOSUID | unix.MS_NODEV)
	if m.ReadOnly {
		flags |= unix.MS_RDONLY
	}
	if m.NoExec {
		flags |= unix.MS_NOEXEC
	}
	return mount("tmpfs", target, "tmpfs", flags, data)
}

func ensureMountpoint(target string, dir bool) error {
	if _, err := os.Lstat(target); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if dir {
		if err := os.MkdirAll(target, 0o755); err != nil {
			return fmt.Errorf("mountpoint %q: %w", target, err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("mountpoint %q: %w", target, err)
	}
	f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("mountpoint %q: %w", target, err)
	}
	return f.Close()
}
