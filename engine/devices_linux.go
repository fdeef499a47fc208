package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Device is a host device node made available in the container (Compose `devices:`).
type Device struct {
	PathOnHost      string // e.g. /dev/net/tun
	PathInContainer string // empty means PathOnHost
	// Permissions is the cgroup access, a subset of "rwm" (read, write, mknod); empty
	// means "rwm".
	Permissions string
}

func (d Device) target() string {
	if d.PathInContainer == "" {
		return d.PathOnHost
	}
	return d.PathInContainer
}

func (d Device) perms() string {
	if d.Permissions == "" {
		return "rwm"
	}
	return d.Permissions
}

func (d Device) validate() error {
	if !filepath.IsAbs(d.PathOnHost) || !filepath.IsAbs(d.target()) {
		return fmt.Errorf("device %q:%q: paths must be absolute: %w", d.PathOnHost, d.PathInContainer, ErrInvalid)
	}
	if p := d.perms(); strings.Trim(p, "rwm") != "" || len(p) > 3 {
		return fmt.Errorf("device %q: permissions %q not a subset of rwm: %w", d.PathOnHost, p, ErrInvalid)
	}
	return nil
}

// deviceRules returns the allow rules ("c 10:200 rw") for the devices, from the host
// nodes. It fails on a path that is not a device node.
func deviceRules(devs []Device) ([]DeviceRule, error) {
	var rules []DeviceRule
	for _, d := range devs {
		var st unix.Stat_t
		if err := unix.Stat(d.PathOnHost, &st); err != nil {
			return nil, fmt.Errorf("device %q: %w", d.PathOnHost, err)
		}
		kind := byte('c')
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFCHR:
		case unix.S_IFBLK:
			kind = 'b'
		default:
			return nil, fmt.Errorf("device %q: not a device node: %w", d.PathOnHost, ErrInvalid)
		}
		rules = append(rules, DeviceRule{Type: kind, Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev)), Access: d.perms()})
	}
	return rules, nil
}

// makeDevices creates the container's device nodes under root's /dev (a fresh tmpfs) as
// copies of the host nodes: same type, numbers, mode and owner. It runs in init before
// pivot_root, where the host paths are still visible.
func makeDevices(root string, devs []Device) error {
	old := unix.Umask(0)
	defer unix.Umask(old)
	for _, d := range devs {
		var st unix.Stat_t
		if err := unix.Stat(d.PathOnHost, &st); err != nil {
			return fmt.Errorf("device %q: %w", d.PathOnHost, err)
		}
		target, err := secureJoin(root, d.target())
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return fmt.Errorf("device %q: %w", d.target(), err)
		}
		os.Remove(target) // a node of the same name from the defaults or the image
		if err := unix.Mknod(target, st.Mode, int(st.Rdev)); err != nil {
			return fmt.Errorf("device %q: mknod %q: %w", d.PathOnHost, d.target(), err)
		}
		if err := os.Lchown(target, int(st.Uid), int(st.Gid)); err != nil {
			return fmt.Errorf("device %q: %w", d.target(), err)
		}
	}
	return nil
}
