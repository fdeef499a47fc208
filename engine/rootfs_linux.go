package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// mountError is a structured mount failure naming every argument.
type mountError struct {
	op, source, target, fstype string
	flags                      uintptr
	data                       string
	err                        error
}

func (e *mountError) Error() string {
	return fmt.Sprintf("%s %q on %q (type %q, flags %#x, data %q): %v", e.op, e.source, e.target, e.fstype, e.flags, e.data, e.err)
}
func (e *mountError) Unwrap() error { return e.err }

func mount(source, target, fstype string, flags uintptr, data string) error {
	if err := unix.Mount(source, target, fstype, flags, data); err != nil {
		return &mountError{"mount", source, target, fstype, flags, data, err}
	}
	return nil
}

// setupRootfs builds the container's mounts under root in this thread's (new) mount
// namespace: the overlay of the layers, /dev, devices, /etc files, the spec's mounts
// and /sys, once joinNetwork has put this thread into the container's network
// namespace. /proc, the pivot into root and the masked and read-only paths come later,
// from the container's PID 1 (the shim), which alone is inside the new pid namespace.
// The overlay exists only in the container's namespaces, so it disappears with the
// container: nothing to unmount on the host.
func setupRootfs(dir, root string, spec *Spec, shm string, joinNetwork func() error) error {
	slave := spec.slaveRoot()
	rootFlags := uintptr(unix.MS_REC | unix.MS_PRIVATE)
	if slave { // host mounts propagate into the container's slave and shared mounts
		rootFlags = unix.MS_REC | unix.MS_SLAVE
		if err := checkPropagation(spec.Mounts); err != nil {
			return err
		}
	}
	if err := mount("", "/", "", rootFlags, ""); err != nil {
		return err
	}
	if err := mountOverlay(dir, root, spec.LayerDirs); err != nil {
		return err
	}
	if err := mountSpecial(root, spec, shm); err != nil {
		return err
	}
	if err := makeDevices(root, spec.Devices); err != nil {
		return err
	}
	if err := mountEtcFiles(root, spec); err != nil {
		return err
	}
	// /sys needs the container's network namespace, which the shim may still be
	// making: it comes after the spec's mounts, unless one of them goes under it.
	sysDone, sys := false, filepath.Join(root, "sys")
	mountSysOnce := func() error {
		if sysDone {
			return nil
		}
		sysDone = true
		if err := joinNetwork(); err != nil {
			return err
		}
		return mountSys(root, spec)
	}
	for _, m := range spec.Mounts {
		target, err := secureJoin(root, m.Target)
		if err != nil {
			return err
		}
		if !sysDone && (target == sys || strings.HasPrefix(target, sys+"/")) {
			if err := mountSysOnce(); err != nil {
				return err
			}
			if target, err = secureJoin(root, m.Target); err != nil { // now inside sysfs
				return err
			}
		}
		if err := mountUserAt(target, m); err != nil {
			return err
		}
		if err := setPropagation(target, m, slave); err != nil {
			return err
		}
	}
	return mountSysOnce()
}

// mountOverlay mounts the layers (base first) on root, with dir's upper and work dirs.
// Their paths go into the options as they are when they fit in a page; else (many
// layers) as short relative names of links in <dir>/l/, like Docker's overlay2.
func mountOverlay(dir, root string, layers []string) error {
	if err := mkdirs(root, 0o755); err != nil {
		return fmt.Errorf("rootfs dir: %w", err)
	}
	if err := os.Chdir(dir); err != nil {
		return fmt.Errorf("overlay: %w", err)
	}
	const rest = ",upperdir=upper,workdir=work"
	lower := make([]string, len(layers))
	plain := true
	for i, l := range layers {
		lower[len(layers)-1-i] = l // the option lists the top layer first
		plain = plain && !strings.ContainsAny(l, ":,\\")
	}
	data := "lowerdir=" + strings.Join(lower, ":") + rest
	if !plain || len(data) >= overlayOptionsMax {
		names, err := overlayLinks(dir, layers)
		if err != nil {
			return err
		}
		data = "lowerdir=" + strings.Join(names, ":") + rest
	}
	return mount("overlay", root, "overlay", 0, data)
}

// overlayOptionsMax is what mount(2) takes of the options: one page.
const overlayOptionsMax = 4096

// overlayLinks makes <dir>/l/<i> link to layers[i] and returns the relative names, top
// layer first.
func overlayLinks(dir string, layers []string) ([]string, error) {
	ldir := filepath.Join(dir, "l")
	os.RemoveAll(ldir)
	if err := os.Mkdir(ldir, 0o700); err != nil {
		return nil, fmt.Errorf("overlay links: %w", err)
	}
	names := make([]string, len(layers))
	for i, l := range layers {
		name := strconv.Itoa(i)
		if err := os.Symlink(l, filepath.Join(ldir, name)); err != nil {
			return nil, fmt.Errorf("overlay links: %w", err)
		}
		names[len(layers)-1-i] = "l/" + name
	}
	return names, nil
}

type devNode struct {
	name         string
	major, minor uint32
}

var devNodes = []devNode{{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}}

func mountSpecial(root string, spec *Spec, shm string) error {
	const nodev = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV
	for _, d := range []string{"proc", "dev", "sys"} {
		if err := realDir(filepath.Join(root, d)); err != nil {
			return err
		}
	}
	dev := filepath.Join(root, "dev")
	if err := mount("tmpfs", dev, "tmpfs", unix.MS_NOSUID|unix.MS_STRICTATIME, "mode=755,size=65536k"); err != nil {
		return err
	}
	old := unix.Umask(0)
	defer unix.Umask(old)
	for _, n := range devNodes {
		if err := unix.Mknod(filepath.Join(dev, n.name), unix.S_IFCHR|0o666, int(unix.Mkdev(n.major, n.minor))); err != nil {
			return fmt.Errorf("mknod /dev/%s: %w", n.name, err)
		}
	}
	for _, l := range [][2]string{{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
		{"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"}, {"/proc/kcore", "core"}} {
		if err := os.Symlink(l[0], filepath.Join(dev, l[1])); err != nil {
			return fmt.Errorf("dev link: %w", err)
		}
	}
	for _, d := range []string{"pts", "shm", "mqueue"} {
		if d == "shm" && spec.IPCMode == NSNone {
			continue // no /dev/shm at all, as Docker's --ipc none
		}
		if err := os.Mkdir(filepath.Join(dev, d), 0o755); err != nil {
			return err
		}
	}
	if err := mount("devpts", filepath.Join(dev, "pts"), "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"); err != nil {
		return err
	}
	if spec.IPCMode != NSNone {
		if err := mountShm(filepath.Join(dev, "shm"), spec.ShmSize, shm); err != nil {
			return err
		}
	}
	return mount("mqueue", filepath.Join(dev, "mqueue"), "mqueue", nodev, "")
}

// realDir makes path (a top-level name in the rootfs, so no symlink above it) a
// directory: an image's /proc, /dev or /sys that is a symlink or a file is replaced,
// because the mounts there are made before pivot_root, where a symlink would lead them
// out of the rootfs.
func realDir(path string) error {
	fi, err := os.Lstat(path)
	if err == nil && fi.IsDir() {
		return nil
	}
	if err == nil {
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("replace %s with a directory: %w", path, err)
		}
	}
	if err := os.Mkdir(path, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}

// mountSys mounts /sys read-only (read-write when privileged). sysfs shows the network
// namespace of the thread that mounts it: this one must be in the container's already.
func mountSys(root string, spec *Spec) error {
	const nodev = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV
	sysFlags := uintptr(nodev | unix.MS_RDONLY)
	if spec.Privileged {
		sysFlags = nodev
	}
	if err := mount("sysfs", filepath.Join(root, "sys"), "sysfs", sysFlags, ""); err != nil {
		// A joined netns owned by another user ns refuses sysfs; bind the host's read-only.
		if err := mount("/sys", filepath.Join(root, "sys"), "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return err
		}
		return remountReadOnly(filepath.Join(root, "sys"))
	}
	return nil
}

// mountEtcFiles binds hosts, hostname and resolv.conf over the image's files. Each is
// written at each start and seen by nothing but the container, so it is made in the
// container's own /dev tmpfs (see mountSpecial), bound, and unlinked there: no file on
// disk, where each start would make three new inodes and each removal free them (on an
// ext4 without a journal every new inode skips those freed in the last minute, which
// up/down cycles make slow). The container may still write to them, as to Docker's.
func mountEtcFiles(root string, spec *Spec) error {
	files := map[string]string{"hosts": spec.Hosts, "resolv.conf": spec.ResolvConf}
	if spec.Hostname != "" {
		files["hostname"] = spec.Hostname + "\n"
	}
	for name, content := range files {
		if content == "" {
			continue
		}
		if err := bindDevFile(root, name, content); err != nil {
			return fmt.Errorf("/etc/%s: %w", name, err)
		}
	}
	return nil
}

// bindDevFile binds a file holding content, made in the rootfs's /dev tmpfs, over
// /etc/name inside root, and unlinks it from /dev (the mount keeps it).
func bindDevFile(root, name, content string) error {
	target, err := secureJoin(root, "/etc/"+name)
	if err != nil {
		return err
	}
	if err := ensureMountpoint(target, false); err != nil {
		return err
	}
	src := filepath.Join(root, "dev", ".etc-"+name) // in the tmpfs mountSpecial just made
	if err := writeFile(src, []byte(content), 0o644); err != nil {
		return err
	}
	err = mount(src, target, "", unix.MS_BIND, "")
	if rerr := os.Remove(src); err == nil {
		err = rerr
	}
	return err
}

// mountShm mounts the container's /dev/shm at target: shared, the /dev/shm of the ipc
// namespace it shares (the host's, another container's), else a tmpfs of size bytes
// (64 MiB for 0).
func mountShm(target string, size int64, shared string) error {
	if shared != "" {
		if err := mount(shared, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("shared /dev/shm: %w", err)
		}
		return nil
	}
	if size <= 0 {
		size = 64 << 20
	}
	return mount("shm", target, "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC|unix.MS_NODEV, fmt.Sprintf("mode=1777,size=%d", size))
}
