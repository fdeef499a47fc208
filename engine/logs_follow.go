package engine

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// follower reads a log that rotates under it without losing or repeating lines. It
// holds the file it reads open (by inode, not path): when container.log is a new file,
// it drains the old one to its end (the writer closes a file before renaming it, so its
// last line is complete), reads every file rotated in between in full, and moves on.
type follower struct {
	dir string
	f   *os.File // the file being read, nil until container.log exists
	ino uint64   // its inode
	off int64
}

// A follower polls for output: soon after output, then less often while the container
// is quiet. The container's exit ends the wait at once (the shim's pidfd), so `run`
// sees a short command's end as soon as the shim has recorded it.
const (
	followPollMin = time.Millisecond
	followPollMax = 50 * time.Millisecond
)

func (e *Engine) follow(id string, fl *follower, fn func(LogEntry) error) error {
	wait := followPollMin
	shim := -1 // pidfd of the shim of the run being followed
	defer func() {
		if shim >= 0 {
			unix.Close(shim)
		}
	}()
	for {
		st, err := e.State(id)
		if err != nil {
			return err
		}
		if shim == -1 && st.Status == StatusRunning {
			if shim, err = unix.PidfdOpen(st.MonitorPid, 0); err != nil {
				shim = -2 // plain sleeps
			}
		}
		es, err := fl.poll()
		if err != nil {
			return err
		}
		for _, le := range es {
			if err := fn(le); err != nil {
				return err
			}
		}
		if st.Status != StatusRunning && st.Status != StatusPaused && len(es) == 0 {
			return nil
		}
		if len(es) > 0 {
			wait = followPollMin
		} else {
			wait = min(2*wait, followPollMax)
		}
		if sleepUntilExit(shim, wait) {
			unix.Close(shim)
			shim = -2 // gone: the next State says so; never spin on it
		}
	}
}

// sleepUntilExit sleeps for d, or less if the process behind pidfd (if ≥ 0) exits or
// has exited; it reports whether it did.
func sleepUntilExit(pidfd int, d time.Duration) bool {
	if pidfd < 0 {
		time.Sleep(d)
		return false
	}
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(d.Milliseconds()))
	return n == 1 && err == nil
}

func (fl *follower) close() {
	if fl.f != nil {
		fl.f.Close()
	}
}

// poll returns the entries written since the last poll, oldest first.
func (fl *follower) poll() ([]LogEntry, error) {
	cur, err := os.Open(filepath.Join(fl.dir, logName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // between the writer's rename and create, or not yet written
	}
	if err != nil {
		return nil, err
	}
	curIno := fdInode(cur)
	if fl.f == nil {
		fl.f, fl.ino = cur, curIno
	}
	var out []LogEntry
	out, fl.off, _ = readLogFrom(fl.f, fl.off)
	if curIno == fl.ino {
		if fl.f != cur {
			cur.Close()
		}
		return out, nil
	}
	for _, p := range fl.rotatedSince(fl.ino, curIno) {
		es, _, err := readLogFile(p, 0)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			cur.Close()
			return nil, err
		}
		out = append(out, es...)
	}
	fl.close()
	fl.f, fl.ino = cur, curIno
	var es []LogEntry
	es, fl.off, _ = readLogFrom(cur, 0)
	return append(out, es...), nil
}

// rotatedSince lists the rotated files newer than the file with inode old, oldest
// first, leaving out the current file cur (it may have been rotated meanwhile). If old
// is gone (dropped by max-file), every rotated file is newer.
func (fl *follower) rotatedSince(old, cur uint64) []string {
	var newer []string
	for i := 1; i <= 32; i++ {
		p := filepath.Join(fl.dir, logName+"."+strconv.Itoa(i))
		ino := inode(p)
		if ino == 0 || ino == old {
			break
		}
		if ino != cur {
			newer = append([]string{p}, newer...)
		}
	}
	return newer
}

func fdInode(f *os.File) uint64 {
	fi, err := f.Stat()
	if err != nil {
		return 0
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}
