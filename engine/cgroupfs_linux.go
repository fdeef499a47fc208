package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/sys/unix"
)

// mountCgroupFS shows the container its own cgroup at /sys/fs/cgroup, so that
// runtimes that size themselves from their limits (JVM, Node, Go's automaxprocs,
// .NET) see them, read-only unless the container is privileged (Docker's default):
//
//	v2: the container's cgroup dir bound on /sys/fs/cgroup.
//	v1: Docker's layout: a tmpfs on /sys/fs/cgroup with one dir per controller
//	    (memory, cpu, pids, ...), each the container's cgroup dir of that hierarchy.
//
// The cgroups must exist (ensureCgroup done). On v1 this is what Docker shows with
// its default host cgroup namespace. On v2 PID 1 (the shim) also makes a cgroup
// namespace once it is in its cgroup, and execs join it, as with Docker's default
// private cgroupns: /proc/self/cgroup says "0::/" and the bound dir is the root.
func mountCgroupFS(root string, spec *Spec, cg *cgroup) error {
	target := filepath.Join(root, "sys", "fs", "cgroup")
	if _, err := os.Lstat(target); err != nil {
		return nil // a sysfs without cgroup support: nothing to show
	}
	const nodev = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV
	if cg.v2 {
		src := cg.dirs[""]
		if !spec.privateCgroupNS(true) { // the host's namespace: the host's tree, as Docker
			src = cgroupRoot
		}
		if err := mount(src, target, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("cgroup fs: %w", err)
		}
		return readOnlyUnlessPrivileged(target, spec)
	}
	if err := mount("tmpfs", target, "tmpfs", nodev, "mode=755"); err != nil {
		return fmt.Errorf("cgroup fs: %w", err)
	}
	names := make([]string, 0, len(cg.dirs))
	for c := range cg.dirs {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		dst := filepath.Join(target, c)
		if err := os.Mkdir(dst, 0o755); err != nil {
			return fmt.Errorf("cgroup fs: %w", err)
		}
		if err := mount(cg.dirs[c], dst, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("cgroup fs: %w", err)
		}
	}
	if spec.Privileged {
		return nil
	}
	return readOnlyTree(target, nodev)
}

// readOnlyTree makes the v1 cgroup tmpfs at target and the hierarchies bound in it
// read-only: with one mount_setattr(2) for the whole tree (Linux 5.12), else (ENOSYS)
// a remount of each, two system calls a hierarchy and one for the tmpfs.
func readOnlyTree(target string, tmpfsFlags uintptr) error {
	err := unix.MountSetattr(unix.AT_FDCWD, target, unix.AT_RECURSIVE, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY})
	if err == nil {
		return nil
	}
	if err != unix.ENOSYS {
		return fmt.Errorf("cgroup fs: read-only %s: %w", target, err)
	}
	names, err := readDirNames(target)
	if err != nil {
		return fmt.Errorf("cgroup fs: %w", err)
	}
	for _, c := range names {
		if err := remountReadOnly(filepath.Join(target, c)); err != nil {
			return fmt.Errorf("cgroup fs: %w", err)
		}
	}
	if err := mount("", target, "", unix.MS_REMOUNT|unix.MS_RDONLY|tmpfsFlags, "mode=755"); err != nil {
		return fmt.Errorf("cgroup fs: %w", err)
	}
	return nil
}

// privateCgroupNS reports whether the container gets a cgroup namespace of its own:
// as Spec.CgroupNS says, else Docker's default, private on cgroup v2 (v2 true) and
// the host's on v1.
func (s *Spec) privateCgroupNS(v2 bool) bool {
	switch s.CgroupNS {
	case CgroupNSHost:
		return false
	case CgroupNSPrivate:
		return true
	}
	return v2
}

func readOnlyUnlessPrivileged(target string, spec *Spec) error {
	if spec.Privileged {
		return nil
	}
	if err := remountReadOnly(target); err != nil {
		return fmt.Errorf("cgroup fs: %w", err)
	}
	return nil
}

// networkSysctls are Docker's defaults for a container in a network namespace of its
// own (not the host's, not another container's): any user may bind ports below 1024
// and open ICMP echo sockets. The spec's Sysctls override them.
var networkSysctls = map[string]string{
	"net.ipv4.ip_unprivileged_port_start": "0",
	"net.ipv4.ping_group_range":           "0 2147483647",
}

// sysctls is the spec's Sysctls with Docker's network defaults added when the
// container has a network namespace of its own, and the kernel knows them.
func (s *Spec) sysctls() map[string]string {
	if s.HostNetwork || s.SharedNetNS {
		return s.Sysctls
	}
	out := map[string]string{}
	for k, v := range networkSysctls {
		if _, err := os.Stat(filepath.Join("/proc/sys", filepath.FromSlash(sysctlPath(k)))); err == nil {
			out[k] = v
		}
	}
	for k, v := range s.Sysctls {
		out[k] = v
	}
	return out
}

func sysctlPath(key string) string {
	b := []byte(key)
	for i := range b {
		if b[i] == '.' {
			b[i] = '/'
		}
	}
	return string(b)
}
