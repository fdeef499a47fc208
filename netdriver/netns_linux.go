package netdriver

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/internal/threads"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// CreateNetns creates a persistent network namespace for id, bind-mounted at
// RuntimeDir/<id>, with lo up, and returns its path. The namespace lives until DeleteNetns.
// Creating an existing id returns its path. The namespace is recorded under the state lock
// and made after it is released, so namespaces of different ids are made side by side;
// calls for one id must not overlap.
//
// Kernel hazard (CNI pkg/ns/README.md): unshare(CLONE_NEWNET) changes the calling OS thread,
// and Go schedules goroutines on any thread. The work runs in a fresh goroutine locked to its
// thread, which is never unlocked: when the goroutine returns, the runtime destroys that thread
// instead of handing a thread in the wrong namespace to other goroutines.
func (d *Driver) CreateNetns(id string) (string, error) {
	path, err := d.netnsPath(id)
	if err != nil {
		return "", fmt.Errorf("create netns: %w", err)
	}
	// State is written once, before the namespace is made, so that Sweep finds a
	// half-made one; a failure leaves the record for DeleteNetns or Sweep.
	exists := false
	err = d.withState(false, func(st *state) error {
		exists = isNsfs(path)
		if exists && st.Netns[id] == path {
			return nil
		}
		st.Netns[id] = path
		return d.record(st)
	})
	if err == nil && !exists {
		err = makeNetns(path)
	}
	if err != nil {
		return "", fmt.Errorf("create netns %q: %w", id, err)
	}
	return path, nil
}

// makeNetns creates the file path and bind-mounts a new network namespace on it.
func makeNetns(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDONLY, 0o444)
	if err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if f != nil {
		f.Close()
	}
	errc := make(chan error, 1)
	go threads.Discard(func() { errc <- unshareAndBind(path) }) // the thread dies afterwards
	return <-errc
}

// unshareAndBind must run on a locked thread that is thrown away afterwards
// (threads.Discard).
func unshareAndBind(path string) error {
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("unshare: %w", err)
	}
	self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
	if err := unix.Mount(self, path, "none", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s: %w", path, err)
	}
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("find lo: %w", err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		return fmt.Errorf("bring up lo: %w", err)
	}
	return nil
}

// isNsfs reports whether path is a mounted namespace file.
func isNsfs(path string) bool {
	var fs unix.Statfs_t
	return unix.Statfs(path, &fs) == nil && fs.Type == unix.NSFS_MAGIC
}

// DeleteNetns unmounts and removes the namespace of id; the kernel frees the namespace, and the
// veth pairs inside it, once no process uses it. Endpoints still attached from that namespace
// are detached in the same step: their addresses are released, their published ports removed
// and the conntrack entries of flows DNATed to them deleted. This is the fast teardown (about 0.1 ms per veth, against ~33 ms for deleting each
// veth first). A missing namespace is success.
//
// The namespace is unmounted before the state lock is taken (an unmount waits for an RCU
// grace period, a millisecond or more), so namespaces of different ids are deleted side by
// side; calls for one id must not overlap with each other or with CreateNetns. It is the
// namespace at its usual path (netnsPath) that goes first: one recorded elsewhere (a state
// written by an older berth, see recordedNetns) is found and removed under the lock, so the
// state is read once per call, not twice (Down of 50 containers read it 100 times).
func (d *Driver) DeleteNetns(id string) error {
	path, err := d.netnsPath(id)
	if err == nil {
		err = removeNetnsPath(path)
	}
	if err == nil {
		err = d.withState(true, func(st *state) error {
			rec, err := d.recordedNetns(st, id)
			if err == nil && rec != path {
				err = removeNetnsPath(rec)
			}
			if err != nil {
				return err
			}
			return d.forgetNetns(st, id, rec)
		})
	}
	if err != nil {
		return fmt.Errorf("delete netns %q: %w", id, err)
	}
	return nil
}

// forgetNetns drops the record of the removed namespace of id at path, and releases its
// endpoints.
func (d *Driver) forgetNetns(st *state, id, path string) error {
	delete(st.Netns, id)
	var published []netip.Addr
	for _, n := range st.Networks {
		if ep, ok := n.Endpoints[path]; ok {
			if len(ep.Ports) > 0 {
				published = append(published, ep.addrs()...)
			}
			delete(n.Endpoints, path)
		}
	}
	if len(published) == 0 {
		return nil
	}
	if err := d.syncRules(st); err != nil {
		return err
	}
	return clearStaleFlows(nil, published, false)
}

// netnsPath is RuntimeDir/<id>, where the namespace of id is bind-mounted. It refuses
// (ErrInvalid) an id that is not one path element (empty, ".", "..", holding "/" or
// NUL), so no id leads outside RuntimeDir.
func (d *Driver) netnsPath(id string) (string, error) {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\x00") {
		return "", fmt.Errorf("netns id %q: not a single path element: %w", id, ErrInvalid)
	}
	return filepath.Join(d.opts.RuntimeDir, id), nil
}

// recordedNetns is the path state records for id (RuntimeDir may have changed since it
// was made), else netnsPath(id). A record that is not an absolute path ending in the
// valid id is refused, so a damaged state cannot have a mount point such as "/" removed.
func (d *Driver) recordedNetns(st *state, id string) (string, error) {
	path, err := d.netnsPath(id)
	if err != nil {
		return "", err
	}
	rec, ok := st.Netns[id]
	if !ok || rec == path {
		return path, nil
	}
	if !filepath.IsAbs(rec) || filepath.Clean(rec) != rec || filepath.Base(rec) != id {
		return "", fmt.Errorf("netns %q recorded at %q: %w", id, rec, ErrInvalid)
	}
	return rec, nil
}

func removeNetnsPath(path string) error {
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmount %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}
