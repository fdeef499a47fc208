// Command berth is a daemonless, Docker-Compose-compatible orchestrator for one Linux host.
//
// This package is the CLI only: it parses flags into option structs, calls the library
// packages, prints their results and chooses the exit code. It holds no logic of its own.
// main is the only place that exits: a handler that ends berth with a status other than
// 0 returns it (exitWith), so that its deferred cleanups run.
package main

import (
	"os"
	"runtime/debug"
	"strconv"

	"golang.org/x/sys/unix"
)

// commandGCPercent is the garbage collector's target for berth's commands: they live for
// milliseconds and allocate a few MB, and at Go's default (100, a first collection at
// 4 MB) collecting was 15-20% of a `run --rm`'s CPU and 7% of a 50-service `up`'s. The
// supervisor, which lives for hours, keeps the default. GOGC, when set, wins.
const commandGCPercent = 200

func main() {
	closeInheritedOnExec()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(commandGCPercent)
	}
	root, g := newRoot()
	err := root.Execute()
	g.closeProgress()
	os.Exit(exitStatus(err, os.Stderr))
}

// closeInheritedOnExec marks every file descriptor berth inherited above stderr
// close-on-exec. Go opens its own files close-on-exec but leaves inherited ones alone,
// so without this a caller's open pipe (a shell's `exec 3>`, a CI runner's log pipe)
// would pass into the supervisor berth starts and outlive the command, holding the
// caller's pipe open for hours. Children get only what berth passes them.
func closeInheritedOnExec() {
	if unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC) == nil {
		return
	}
	d, err := os.Open("/proc/self/fd") // kernels before 5.11
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, n := range names {
		if fd, err := strconv.Atoi(n); err == nil && fd > 2 {
			unix.CloseOnExec(fd)
		}
	}
}
