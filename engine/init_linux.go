package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// setupIdentity sets hostname, rlimits and then privileges: capabilities
// (bounding set on this locked thread), no_new_privs, groups and user. It ends in the
// working directory.
func setupIdentity(spec *Spec) error {
	if err := unix.Sethostname([]byte(spec.Hostname)); spec.Hostname != "" && err != nil {
		return fmt.Errorf("set hostname: %w", err)
	}
	if err := unix.Setdomainname([]byte(spec.Domainname)); spec.Domainname != "" && err != nil {
		return fmt.Errorf("set domainname: %w", err)
	}
	if err := setRlimits(spec.Ulimits); err != nil {
		return err
	}
	u, err := resolveUser(spec.user())
	if err != nil {
		return err
	}
	if _, err := ensureWorkdir(spec, u); err != nil {
		return err
	}
	if err := applyCaps(spec); err != nil {
		return err
	}
	if spec.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("set no_new_privs: %w", err)
		}
	}
	return u.apply()
}

// ensureWorkdir makes the working dir (owned by the user) when it is missing, enters
// it, and returns it.
func ensureWorkdir(spec *Spec, u execUser) (string, error) {
	wd := spec.WorkingDir
	if wd == "" {
		wd = spec.Image.WorkingDir
	}
	if wd == "" {
		wd = "/"
	}
	if !filepath.IsAbs(wd) {
		return "", fmt.Errorf("working dir %q: not absolute: %w", wd, ErrInvalid)
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

func setRlimits(ls []Ulimit) error {
	for _, l := range ls {
		r, ok := rlimitNames[l.Name]
		if !ok {
			return fmt.Errorf("ulimit %q: unknown name: %w", l.Name, ErrInvalid)
		}
		if err := unix.Setrlimit(r, &unix.Rlimit{Cur: l.Soft, Max: l.Hard}); err != nil {
			return fmt.Errorf("ulimit %s=%d:%d: %w", l.Name, l.Soft, l.Hard, err)
		}
	}
	return nil
}

// execCommand resolves argv[0] in the container's PATH, marks every fd above 2
// close-on-exec (CVE-2024-21626) and execs. It returns only on error.
func execCommand(spec *Spec) error {
	argv, err := spec.argv()
	if err != nil {
		return err
	}
	env := spec.env()
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			os.Setenv("PATH", kv[5:])
		}
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return err
	}
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("close fds: %w", err)
	}
	if err := unix.Exec(path, argv, env); err != nil {
		return fmt.Errorf("exec %q: %w", path, err)
	}
	return nil
}
