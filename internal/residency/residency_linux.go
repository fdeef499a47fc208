// Package residency gives back to the kernel the pages of berth's own executable that a
// long-running berth process (the per-project supervisor) touched once and no longer
// needs: code and read-only data of start-up, of the CLI's command tree and of a sync.
// They are clean file pages, mapped in 64 KiB runs (the kernel's fault-around), and make
// up three quarters of an idle supervisor's resident memory (10 of 13 MiB). It imports
// only the standard library and x/sys/unix.
package residency

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// ReleaseExecutable unmaps (MADV_DONTNEED) the resident pages of the executable's
// read-only mappings (text, rodata, pclntab) from this process. They stay in the page
// cache, which the kernel reclaims as it needs, and a page used again is mapped back by
// a minor fault, without I/O. Only mappings that hold no anonymous (copied-on-write)
// page are touched, so no data is lost whatever the binary's layout (a dynamic binary's
// relocated read-only data is anonymous); writable mappings (data, bss, heap, stacks)
// never are. It is safe to call at any time, from any goroutine.
func ReleaseExecutable() error {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return fmt.Errorf("release executable pages: %w", err)
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return fmt.Errorf("release executable pages: %w", err)
	}
	for _, r := range cleanReadOnlyRanges(smaps, exe) {
		// A raw madvise: the range is a mapping, not a Go object to make a slice of.
		if _, _, e := unix.Syscall(unix.SYS_MADVISE, r[0], r[1]-r[0], unix.MADV_DONTNEED); e != 0 {
			return fmt.Errorf("release executable pages %#x-%#x: %w", r[0], r[1], e)
		}
	}
	return nil
}

// ReleaseEvery calls ReleaseExecutable every interval until ctx ends. It stops at the
// first error (no /proc): nothing is lost then.
func ReleaseEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if ReleaseExecutable() != nil {
				return
			}
		}
	}
}

// cleanReadOnlyRanges lists the [start, end) of the mappings of path, in a
// /proc/PID/smaps text, that are not writable and hold no anonymous page.
func cleanReadOnlyRanges(smaps []byte, path string) [][2]uintptr {
	var out [][2]uintptr
	var cur [2]uintptr
	match := false
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	for sc.Scan() {
		line := sc.Bytes()
		if v, ok := bytes.CutPrefix(line, []byte("Anonymous:")); ok {
			if match && string(bytes.Fields(v)[0]) == "0" {
				out = append(out, cur)
			}
			match = false
			continue
		}
		if r, ok := mappingLine(line, path); ok {
			cur, match = r, true
		} else if isMappingLine(line) {
			match = false
		}
	}
	return out
}

// mappingLine parses a mapping line of smaps ("start-end perms offset dev inode path",
// a path may hold spaces) and reports whether it maps path without write permission.
func mappingLine(line []byte, path string) ([2]uintptr, bool) {
	f := bytes.SplitN(line, []byte(" "), 6)
	if len(f) < 6 || len(f[1]) != 4 || f[1][1] == 'w' || string(bytes.TrimLeft(f[5], " ")) != path {
		return [2]uintptr{}, false
	}
	lo, hi, ok := bytes.Cut(f[0], []byte("-"))
	if !ok {
		return [2]uintptr{}, false
	}
	start, err1 := strconv.ParseUint(string(lo), 16, 64)
	end, err2 := strconv.ParseUint(string(hi), 16, 64)
	if err1 != nil || err2 != nil || start >= end {
		return [2]uintptr{}, false
	}
	return [2]uintptr{uintptr(start), uintptr(end)}, true
}

// isMappingLine tells a mapping line from a "Key: value" line of smaps.
func isMappingLine(line []byte) bool {
	f := bytes.Fields(line)
	return len(f) >= 5 && bytes.IndexByte(f[0], '-') > 0 && !bytes.HasSuffix(f[0], []byte(":"))
}
