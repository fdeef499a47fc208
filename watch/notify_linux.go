package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ErrOverflow is sent on Errors when the kernel dropped events (its queue was full):
// changes may have been missed.
var ErrOverflow = errors.New("inotify event queue overflowed: some changes were missed")

// inotifyMask is every change Compose's watcher (fsnotify) reports: created, written,
// removed, renamed away or in, and attribute (mode) changes.
const inotifyMask = unix.IN_CREATE | unix.IN_MODIFY | unix.IN_DELETE | unix.IN_MOVED_FROM |
	unix.IN_MOVED_TO | unix.IN_ATTRIB | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF

// Notifier watches host paths with inotify, as Compose's watcher on Linux: every
// directory below a watched directory is watched (one inotify watch each), a directory
// that appears later is watched as it appears and every path in it reported, and a
// watched path that does not exist yet is waited for by watching its nearest existing
// ancestor. It reports the absolute path of each change below a watched path (a
// watched directory's own changes are not reported). Close releases it; the channels
// are closed once its reader has stopped.
type Notifier struct {
	file   *os.File // the inotify descriptor, non-blocking, in Go's poller
	fd     int      // the same descriptor, for inotify_add_watch (File.Fd would make it blocking)
	roots  map[string]bool
	events chan string
	errs   chan error
	done   chan struct{} // closed by Close

	mu      sync.Mutex
	dirs    map[int32]string // watch descriptor -> directory
	closing bool
}

// NewNotifier starts watching paths (made absolute). The watcher runs until Close.
func NewNotifier(paths []string) (*Notifier, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		if errors.Is(err, unix.EMFILE) {
			return nil, fmt.Errorf("inotify: %w (raise fs.inotify.max_user_instances)", err)
		}
		return nil, fmt.Errorf("inotify: %w", err)
	}
	n := &Notifier{file: os.NewFile(uintptr(fd), "inotify"), fd: fd, roots: map[string]bool{},
		events: make(chan string), errs: make(chan error, 1), done: make(chan struct{}), dirs: map[int32]string{}}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			n.file.Close()
			return nil, fmt.Errorf("watch %s: %w", p, err)
		}
		n.roots[abs] = true
	}
	for root := range n.roots {
		if err := n.watchRoot(root); err != nil {
			n.file.Close()
			return nil, err
		}
	}
	go n.read()
	return n, nil
}

// Events delivers changed paths; it is closed after Close.
func (n *Notifier) Events() <-chan string { return n.events }

// Errors delivers ErrOverflow and read errors; it is closed after Close.
func (n *Notifier) Errors() <-chan error { return n.errs }

// Close stops the watcher and releases its watches. It is safe to call twice.
func (n *Notifier) Close() error {
	n.mu.Lock()
	if n.closing {
		n.mu.Unlock()
		return nil
	}
	n.closing = true
	n.mu.Unlock()
	close(n.done)
	return n.file.Close()
}

// watchRoot watches a root path: a directory recursively, a file through its
// directory, a missing path through its nearest existing ancestor.
func (n *Notifier) watchRoot(root string) error {
	p := root
	for {
		fi, err := os.Stat(p)
		if err == nil {
			if fi.IsDir() {
				return n.walk(p, false)
			}
			return n.add(filepath.Dir(p))
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("watch %s: %w", root, err)
		}
		if p == "/" {
			return fmt.Errorf("watch %s: cannot watch the root directory", root)
		}
		p = filepath.Dir(p)
	}
}

// walk watches dir and every directory below it that a root needs (a child of a
// root, or an ancestor on the way to one); with report, every path met below a root
// is sent as an event (a directory that appeared: its content is new too).
func (n *Notifier) walk(dir string, report bool) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
				return filepath.SkipDir // gone meanwhile, or unreadable: nothing to see inside
			}
			return err
		}
		if report && p != dir && n.reported(p) {
			n.send(p)
		}
		if !d.IsDir() {
			return nil
		}
		if !n.needed(p) {
			return filepath.SkipDir
		}
		if err := n.add(p); err != nil && !errors.Is(err, unix.ENOENT) {
			return err
		}
		return nil
	})
}

// needed reports whether directory p must be watched: it is a root, below one, or on
// the way to one.
func (n *Notifier) needed(p string) bool {
	for root := range n.roots {
		if IsChild(root, p) || IsChild(p, root) {
			return true
		}
	}
	return false
}

// reported reports whether a change of p is sent: p is below a root, or a root that is
// not a directory.
func (n *Notifier) reported(p string) bool {
	if n.roots[p] {
		fi, err := os.Lstat(p)
		return err != nil || !fi.IsDir()
	}
	for root := range n.roots {
		if IsChild(root, p) {
			return true
		}
	}
	return false
}

// add puts a watch on directory dir.
func (n *Notifier) add(dir string) error {
	wd, err := unix.InotifyAddWatch(n.fd, dir, inotifyMask|unix.IN_ONLYDIR)
	if err != nil {
		if errors.Is(err, unix.ENOSPC) {
			return fmt.Errorf("watch %s: %w (raise fs.inotify.max_user_watches)", dir, err)
		}
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	n.mu.Lock()
	n.dirs[int32(wd)] = dir
	n.mu.Unlock()
	return nil
}

// send delivers one event; it gives up when the Notifier is closing.
func (n *Notifier) send(p string) {
	select {
	case n.events <- p:
	case <-n.done:
	}
}

// fail delivers an error unless one is waiting to be read already.
func (n *Notifier) fail(err error) {
	select {
	case n.errs <- err:
	default:
	}
}

// read decodes inotify records until Close.
func (n *Notifier) read() {
	defer close(n.errs)
	defer close(n.events)
	buf := make([]byte, 64*(unix.SizeofInotifyEvent+unix.NAME_MAX+1))
	for {
		k, err := n.file.Read(buf)
		if err != nil {
			if !errors.Is(err, os.ErrClosed) {
				n.fail(fmt.Errorf("read inotify events: %w", err))
			}
			return
		}
		n.decode(buf[:k])
	}
}

// decode handles the records of one read.
func (n *Notifier) decode(buf []byte) {
	for off := 0; off+unix.SizeofInotifyEvent <= len(buf); {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
		name := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
		off += unix.SizeofInotifyEvent + int(ev.Len)
		n.handle(ev.Wd, ev.Mask, string(trimNUL(name)))
	}
}

// handle acts on one record: a new directory is walked and watched, a forgotten
// watch dropped, and the path reported.
func (n *Notifier) handle(wd int32, mask uint32, name string) {
	if mask&unix.IN_Q_OVERFLOW != 0 {
		n.fail(ErrOverflow)
		return
	}
	n.mu.Lock()
	dir, ok := n.dirs[wd]
	if mask&unix.IN_IGNORED != 0 {
		delete(n.dirs, wd)
	}
	n.mu.Unlock()
	if !ok || name == "" { // the directory's own events: its parent reports it
		return
	}
	p := filepath.Join(dir, name)
	if mask&unix.IN_ISDIR != 0 && mask&unix.IN_MOVED_FROM != 0 {
		n.forget(p) // its watches would report it under its old name; a move within is re-added at IN_MOVED_TO
	}
	if mask&unix.IN_ISDIR != 0 && mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0 && n.needed(p) {
		if n.reported(p) {
			n.send(p)
		}
		if err := n.walk(p, true); err != nil {
			n.fail(err)
		}
		return
	}
	if n.reported(p) {
		n.send(p)
	}
}

// forget removes the watches of directory p and of every directory below it.
func (n *Notifier) forget(p string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for wd, d := range n.dirs {
		if IsChild(p, d) {
			_, _ = unix.InotifyRmWatch(n.fd, uint32(wd)) // already gone with the directory: nothing to do
			delete(n.dirs, wd)
		}
	}
}

// trimNUL cuts the NUL padding of an inotify name.
func trimNUL(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}
