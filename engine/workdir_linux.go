package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// ensureWorkdir makes the working dir (owned by the user) when it is missing, enters
// it, and returns it.
func ensureWorkdir(spec *Spec, u execUser) (string, error) {
	wd, err := spec.workingDir()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(wd); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(wd, 0o755); err != nil {
			return "", fmt.Errorf("working dir %q: %w", wd, err)
		}
		os.Chown(wd, u.uid, u.gid)
	}
	if err := os.Chdir(wd); err != nil {
		return "", fmt.Errorf("working dir %q: %w", wd, err)
	}
	return wd, nil
}

var rlimitNames = map[string]int{
	"core": unix.RLIMIT_CORE, "cpu": unix.RLIMIT_CPU, "data": unix.RLIMIT_DATA,
	"fsize": unix.RLIMIT_FSIZE, "locks": unix.RLIMIT_LOCKS, "memlock": unix.RLIMIT_MEMLOCK,
	"msgqueue": unix.RLIMIT_MSGQUEUE, "nice": unix.RLIMIT_NICE, "nofile": unix.RLIMIT_NOFILE,
	"nproc": unix.RLIMIT_NPROC, "rss": unix.RLIMIT_RSS, "rtprio": unix.RLIMIT_RTPRIO,
	"rttime": unix.RLIMIT_RTTIME, "sigpending": unix.RLIMIT_SIGPENDING, "stack": unix.RLIMIT_STACK,
	"as": unix.RLIMIT_AS,
}
