package project

// Sync of develop.watch: changed host files are written into the container's root as
// its processes see it (engine.WithRootfs: /proc/<pid>/root of a running container,
// with its volumes), without a restart and without a process in the container.
// Container paths are resolved with openat2(RESOLVE_IN_ROOT), as cp's: a symlink in
// the container can never send a write outside its root. Each file is written to a
// temporary name in its directory and renamed over the old one, so the container's
// processes see the old content or the new one, never a half-written file.

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/watch"
)

// syncPath maps a changed host path to its path in the container.
type syncPath struct {
	host      string
	container string
}

// sync copies the paths that exist on the host into every container of service
// (created, running or stopped, as Compose's) and removes from them those that no
// longer exist; removals come first, as in Compose.
func (w *watcher) sync(service string, paths []syncPath) error {
	ctrs, err := w.containers(service, false)
	if err != nil {
		return err
	}
	var copies []syncPath
	var removes []string
	for _, p := range paths {
		if p.container == "" {
			continue
		}
		switch _, err := os.Stat(p.host); {
		case err == nil:
			copies = append(copies, p)
		case errors.Is(err, fs.ErrNotExist):
			removes = append(removes, p.container)
		default:
			return fmt.Errorf("sync %s: %w", p.host, err)
		}
	}
	var errs []error
	for _, c := range ctrs {
		err := w.cfg.engine().WithRootfs(c.ID, func(root int) error {
			for _, p := range removes {
				if err := removeIn(root, p); err != nil {
					return err
				}
			}
			for _, p := range copies {
				if err := copyIn(root, p.host, p.container); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("sync into %s: %w", c.Name, err))
		}
	}
	return errors.Join(errs...)
}

// copyIn copies host path src (a file, a directory tree or a symlink) to dst in the
// container, creating dst's missing parent directories.
func copyIn(root int, src, dst string) error {
	dst = path.Clean("/" + dst)
	if dst == "/" {
		return fmt.Errorf("sync %s: cannot replace the container's root: %w", src, ErrInvalid)
	}
	dir, err := mkdirAllIn(root, path.Dir(dst))
	if err != nil {
		return err
	}
	defer unix.Close(dir)
	return syncEntry(src, dir, path.Base(dst))
}

// mkdirAllIn opens directory p in the container (O_PATH), making it and its missing
// parents (0755) as mkdir -p would.
func mkdirAllIn(root int, p string) (int, error) {
	fd, err := resolveIn(root, p, unix.O_PATH|unix.O_DIRECTORY)
	if err == nil || !errors.Is(err, unix.ENOENT) || p == "/" {
		return fd, err
	}
	parent, err := mkdirAllIn(root, path.Dir(p))
	if err != nil {
		return -1, err
	}
	err = unix.Mkdirat(parent, path.Base(p), 0o755)
	unix.Close(parent)
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, &os.PathError{Op: "mkdir", Path: p, Err: err}
	}
	return resolveIn(root, p, unix.O_PATH|unix.O_DIRECTORY)
}

// syncEntry copies host path src to name in the container directory dir: a directory
// is merged (made when missing, replacing a non-directory), a file or symlink
// replaces what is there atomically. Owner, mode and modification time are the host
// file's, as Compose's copy keeps them.
func syncEntry(src string, dir int, name string) error {
	fi, err := os.Lstat(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // removed since the batch was made: the next batch removes it
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return replaceAt(src, fi, dir, name)
	}
	sub, err := ensureDirAt(dir, name, fi)
	if err != nil {
		return err
	}
	defer unix.Close(sub)
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := syncEntry(filepath.Join(src, e.Name()), sub, e.Name()); err != nil {
			return err
		}
	}
	return nil
}

// ensureDirAt opens directory name in dir (O_PATH, never through a symlink), making it
// with src's mode and owner; a non-directory there is removed first.
func ensureDirAt(dir int, name string, src fs.FileInfo) (int, error) {
	var st unix.Stat_t
	if err := fstatat(dir, name, &st); err == nil && st.Mode&unix.S_IFMT != unix.S_IFDIR {
		if err := removeAt(dir, name); err != nil {
			return -1, err
		}
	}
	if err := unix.Mkdirat(dir, name, uint32(src.Mode().Perm())); err == nil {
		if err := chownLike(dir, name, src); err != nil {
			return -1, err
		}
	} else if !errors.Is(err, unix.EEXIST) {
		return -1, &os.PathError{Op: "mkdir", Path: name, Err: err}
	}
	fd, err := openAt(dir, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: name, Err: err}
	}
	return fd, nil
}

// replaceAt writes src (a regular file or symlink) to a temporary name in dir and
// renames it over name; a directory at name is removed first.
func replaceAt(src string, fi fs.FileInfo, dir int, name string) error {
	tmp := tempName()
	if err := writeTemp(src, fi, dir, tmp); err != nil {
		unix.Unlinkat(dir, tmp, 0)
		return err
	}
	err := unix.Renameat(dir, tmp, dir, name)
	if errors.Is(err, unix.EISDIR) || errors.Is(err, unix.ENOTEMPTY) || errors.Is(err, unix.EEXIST) {
		if err = removeAt(dir, name); err == nil {
			err = unix.Renameat(dir, tmp, dir, name)
		}
	}
	if err != nil {
		unix.Unlinkat(dir, tmp, 0)
		return &os.PathError{Op: "rename", Path: name, Err: err}
	}
	return nil
}

// writeTemp makes tmp in dir a copy of src: a symlink's target, or a regular file's
// content, mode, owner and modification time.
func writeTemp(src string, fi fs.FileInfo, dir int, tmp string) error {
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := unix.Symlinkat(target, dir, tmp); err != nil {
			return &os.PathError{Op: "symlink", Path: tmp, Err: err}
		}
		return chownLike(dir, tmp, fi)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("sync %s: cannot copy a device, socket or fifo: %w", src, ErrInvalid)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fd, err := openAt(dir, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return &os.PathError{Op: "create", Path: tmp, Err: err}
	}
	out := os.NewFile(uintptr(fd), tmp)
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := chownLike(dir, tmp, fi); err != nil {
		return err
	}
	if err := unix.Fchmod(fd, uint32(fi.Mode().Perm()|setBits(fi.Mode()))); err != nil {
		return &os.PathError{Op: "chmod", Path: tmp, Err: err}
	}
	mt := unix.NsecToTimespec(fi.ModTime().UnixNano())
	return unix.UtimesNanoAt(dir, tmp, []unix.Timespec{mt, mt}, unix.AT_SYMLINK_NOFOLLOW)
}

// setBits are the setuid, setgid and sticky bits of m in chmod's form.
func setBits(m fs.FileMode) fs.FileMode {
	var b fs.FileMode
	if m&fs.ModeSetuid != 0 {
		b |= unix.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		b |= unix.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		b |= unix.S_ISVTX
	}
	return b
}

// chownLike gives name in dir the host file's owner (a symlink itself, not its target).
func chownLike(dir int, name string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*unix.Stat_t)
	if !ok {
		return nil
	}
	if err := unix.Fchownat(dir, name, int(st.Uid), int(st.Gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "chown", Path: name, Err: err}
	}
	return nil
}

// tempName is a name no container file is expected to have.
func tempName() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return ".berth-sync-" + hex.EncodeToString(b)
}

// removeIn removes p (a file, a symlink or a tree) from the container, as rm -rf: a
// missing path is no error. Its parent directories are resolved inside the root; p
// itself is never followed.
func removeIn(root int, p string) error {
	p = path.Clean("/" + p)
	if p == "/" {
		return fmt.Errorf("sync: cannot remove the container's root: %w", ErrInvalid)
	}
	dir, err := resolveIn(root, path.Dir(p), unix.O_PATH|unix.O_DIRECTORY)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return nil
	}
	if err != nil {
		return err
	}
	defer unix.Close(dir)
	return removeAt(dir, path.Base(p))
}

// removeAt removes name in dir and, for a directory, everything below it, never
// following a symlink.
func removeAt(dir int, name string) error {
	err := unix.Unlinkat(dir, name, 0)
	if err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	}
	if !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EPERM) {
		return &os.PathError{Op: "remove", Path: name, Err: err}
	}
	fd, err := openAt(dir, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	names, err := f.Readdirnames(-1)
	if err == nil {
		for _, n := range names {
			if err = removeAt(fd, n); err != nil {
				break
			}
		}
	}
	f.Close()
	if err != nil {
		return err
	}
	if err := unix.Unlinkat(dir, name, unix.AT_REMOVEDIR); err != nil && !errors.Is(err, unix.ENOENT) {
		return &os.PathError{Op: "remove", Path: name, Err: err}
	}
	return nil
}

// initialSync copies a sync rule's path into the service's containers before watching,
// as Compose's initial_sync: every file below it (or the file itself) except those
// whose name the build context's .dockerignore, an editor pattern, .git, a Dockerfile
// or compose file name, or the rule's ignore list matches, and those a bind mount
// shares.
func (w *watcher) initialSync(service string, svc compose.ServiceConfig, t compose.Trigger, docker watch.Matcher) error {
	ignore, err := initialSyncIgnore(svc, t, docker)
	if err != nil {
		return err
	}
	fi, err := os.Stat(t.Path)
	if err != nil {
		return fmt.Errorf("initial sync of service %s: %w", service, err)
	}
	var paths []syncPath
	if !fi.IsDir() {
		if skip, _ := ignore.Matches(filepath.Base(t.Path)); !skip {
			paths = append(paths, syncPath{host: t.Path, container: t.Target})
		}
		return w.sync(service, paths)
	}
	err = filepath.WalkDir(t.Path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == t.Path {
			return err
		}
		if skip, _ := ignore.Matches(d.Name()); skip || boundByVolume(p, svc.Volumes) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			paths = append(paths, syncPath{host: p, container: path.Join(t.Target, filepath.ToSlash(relTo(t.Path, p)))})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("initial sync of service %s: %w", service, err)
	}
	return w.sync(service, paths)
}

// initialSyncIgnore is what initial_sync leaves out, matched (as in Compose) against
// base names.
func initialSyncIgnore(svc compose.ServiceConfig, t compose.Trigger, docker watch.Matcher) (watch.Matcher, error) {
	names := []string{"Dockerfile", "compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml",
		"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml"}
	if svc.Build != nil && svc.Build.Dockerfile != "" {
		names = append(names, filepath.Base(svc.Build.Dockerfile))
	}
	files, err := watch.NewPatterns("/", names)
	if err != nil {
		return nil, err
	}
	own, err := watch.NewPatterns(t.Path, t.Ignore)
	if err != nil {
		return nil, err
	}
	return watch.Composite{docker, watch.Ephemeral(), watch.DotGit(), files, own}, nil
}

func relTo(dir, p string) string {
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		return filepath.Base(p)
	}
	return rel
}
