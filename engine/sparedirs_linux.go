package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Container dirs are recycled. Every directory made on disk costs a block, and freeing
// it costs more (on a filesystem mounted with discard, such as the VMs berth is
// developed on, a synchronous discard: 95 µs per rmdir, against 3 µs on tmpfs). So
// Remove keeps up to maxSpareDirs emptied container dirs (their upper, work and rootfs
// directories, all empty) in <Root>/spare-dirs, and Create takes one instead of making
// them. A dir is recycled only when its upper and work dirs are empty and its upper dir
// untouched, so nothing of a container can reach another; it is cleaned under a dot
// name and only then offered, so a crash midway leaves nothing Create would take.

// maxSpareDirs bounds the recycled dirs kept: enough for a large project's down and
// up (each spare is four empty directories).
const maxSpareDirs = 64

// keptEntries are what a recycled container dir keeps (each an empty directory).
var keptEntries = map[string]bool{"upper": true, "work": true, "rootfs": true}

func (e *Engine) spareDirs() string { return filepath.Join(e.Root, "spare-dirs") }

// takeSpareDir moves a recycled dir to dir, which must not exist; it reports whether
// there was one.
func (e *Engine) takeSpareDir(dir string) bool {
	names, _ := readDirNames(e.spareDirs())
	for _, n := range names {
		if strings.HasPrefix(n, ".") {
			continue
		}
		err := unix.Renameat2(unix.AT_FDCWD, filepath.Join(e.spareDirs(), n), unix.AT_FDCWD, dir, unix.RENAME_NOREPLACE)
		if err == nil {
			if emptyDir(filepath.Join(dir, "upper")) && emptyDir(filepath.Join(dir, "work")) {
				return true
			}
			removeTree(dir) // not what Remove offers: made otherwise
			return false
		}
		if errors.Is(err, unix.EEXIST) {
			return false // the caller's mkdir reports it
		}
	}
	return false
}

// recycleDir empties the dir of container id but for its kept directories and offers
// it to takeSpareDir; it reports false, leaving dir as it was or partly emptied, when
// the caller must remove it.
func (e *Engine) recycleDir(id, dir string) bool {
	pool := e.spareDirs()
	names, _ := readDirNames(pool)
	spare := 0
	for _, n := range names {
		if strings.HasPrefix(n, ".") {
			// Being cleaned by another Remove, or left by a crash while cleaning.
			if fi, err := os.Lstat(filepath.Join(pool, n)); err == nil && time.Since(fi.ModTime()) > time.Minute {
				removeTree(filepath.Join(pool, n))
			}
			continue
		}
		spare++
	}
	upper, work := filepath.Join(dir, "upper"), filepath.Join(dir, "work")
	if spare >= maxSpareDirs || !emptyDir(upper) || !pristine(upper) ||
		(!emptyDir(work) && !onlyEmptyWork(work)) {
		return false
	}
	if err := os.MkdirAll(pool, 0o700); err != nil {
		return false
	}
	cleaning := filepath.Join(pool, ".cleaning-"+id)
	now := time.Now()
	os.Chtimes(dir, now, now) // arrives fresh: not stale to another Remove for a minute
	if err := os.Rename(dir, cleaning); err != nil {
		return false
	}
	// work/work goes: the next mount would remove and make it again anyway (overlay
	// renews its workdir), and a missing one it only makes.
	if removeTree(filepath.Join(cleaning, "work", "work")) != nil {
		removeTree(cleaning)
		return true
	}
	names, _ = readDirNames(cleaning)
	for _, n := range names {
		if !keptEntries[n] || (n == "rootfs" && !emptyDir(filepath.Join(cleaning, n))) {
			if err := removeTree(filepath.Join(cleaning, n)); err != nil {
				removeTree(cleaning)
				return true // gone all the same
			}
		}
	}
	if os.Rename(cleaning, filepath.Join(pool, id)) != nil {
		removeTree(cleaning)
	}
	return true
}

// pristine makes dir (an upper dir) as Create makes it, or reports that it cannot: mode
// 0755, owned by root, and no extended attribute but the overlay's own uuid, which it
// removes. The overlay's root takes its upper dir's attributes, so a container that
// changed "/" (chmod, chown, an xattr) leaves a dir no other container may get.
func pristine(dir string) bool {
	var st unix.Stat_t
	if unix.Lstat(dir, &st) != nil || st.Mode&0o7777 != 0o755 || st.Uid != 0 || st.Gid != 0 {
		return false
	}
	buf := make([]byte, 256)
	n, err := unix.Llistxattr(dir, buf)
	if err != nil {
		return false
	}
	for _, name := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if name == "" {
			continue
		}
		if name != "trusted.overlay.uuid" || unix.Lremovexattr(dir, name) != nil {
			return false
		}
	}
	return true
}

// emptyDir reports whether dir is a directory with nothing in it.
func emptyDir(dir string) bool {
	ok, err := isEmptyDir(dir)
	return err == nil && ok
}

// onlyEmptyWork reports whether work holds nothing but an empty work/work, as an
// unmounted overlay leaves its workdir.
func onlyEmptyWork(work string) bool {
	names, _ := readDirNames(work)
	return len(names) == 1 && names[0] == "work" && emptyDir(filepath.Join(work, "work"))
}
