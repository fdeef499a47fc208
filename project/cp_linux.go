package project

// Copy is `docker compose cp`. The container's root comes from engine.WithRootfs: a
// running container's through /proc/<init pid>/root, which resolves in the container's
// mount namespace, a stopped one's mounted for the copy alone; either way its volumes
// and bind mounts are seen as the container sees them. Every path in it is
// resolved with openat2(RESOLVE_IN_ROOT): "..", absolute symlinks and symlinks with
// ".." stay inside the container's root, as if chrooted, so a container cannot make
// berth read or write host files through a planted symlink. Below the named path the
// tree is walked by file descriptors with O_NOFOLLOW: symlinks are copied as symlinks,
// never followed, and a directory swapped for a symlink during the copy is refused.
// The host side is handled the same way, rooted at "/".

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine"
	"golang.org/x/sys/unix"
)

// CopyOptions configure Copy, as `berth cp`'s arguments and flags.
type CopyOptions struct {
	Service string
	Index   int // replica number; 0: the lowest-numbered running one
	// ToContainer copies Source on the host to Dest in the container; otherwise Source
	// in the container to Dest on the host.
	ToContainer bool
	Source      string
	Dest        string
	// Archive keeps the owner (uid, gid) of every file; otherwise copies belong to root.
	Archive bool
	// FollowLink copies what Source points to when it is a symlink.
	FollowLink bool
	// All copies into the service's one-off (run) containers too (Compose's --all).
	All bool
	// Progress gets Compose's " Container NAME  Copying"/"Copied SRC to NAME:DEST"
	// lines; nil: none.
	Progress io.Writer
	// DryRun prints the lines of the copies and copies nothing (--dry-run).
	DryRun bool
}

// Copy copies a file or directory tree between the host and containers of project
// name, with docker cp's rules: a Source ending in "/." copies the directory's content;
// a Dest that is an existing directory receives Source under its own name; otherwise
// Dest is created (its parent must exist). As Compose's cp, a copy into the service
// goes to every container of it (running or stopped; one-off ones too with All) unless
// Index names one; a copy out of it reads one (Index's, else a running one, else a
// stopped one). A service without containers or a project never brought up wraps
// ErrNotFound; a directory onto a file, ErrInvalid.
func Copy(cfg Config, name string, opts CopyOptions) error {
	st, err := cfg.LoadState(name)
	if err != nil {
		return err
	}
	cfg.restoreSupervisor(name, st)
	eng := cfg.engine()
	if opts.ToContainer && opts.Index == 0 {
		targets := copyTargets(st, eng, opts)
		if len(targets) == 0 {
			return fmt.Errorf("cp: no container found for service %q: %w", opts.Service, ErrNotFound)
		}
		r := &run{cfg: cfg}
		return r.eachContainer(targets, func(c *ContainerState) error { return copyOne(eng, c, opts) })
	}
	status := func(id string) engine.Status {
		s, err := eng.State(id)
		if err != nil {
			return ""
		}
		return s.Status
	}
	c, err := execTarget(st, status, opts.Service, opts.Index)
	if errors.Is(err, ErrNotFound) { // no running one: a stopped container will do, as docker cp's
		c, err = execTarget(st, func(id string) engine.Status {
			if status(id) == "" {
				return ""
			}
			return engine.StatusRunning
		}, opts.Service, opts.Index)
	}
	if err != nil {
		return fmt.Errorf("cp: %w", err)
	}
	return copyOne(eng, c, opts)
}

// copyTargets are the containers of opts.Service a copy into the service goes to,
// sorted by number: those the engine knows, one-off ones only with opts.All.
func copyTargets(st *State, eng *engine.Engine, opts CopyOptions) []*ContainerState {
	var out []*ContainerState
	for _, c := range st.Containers {
		if c.Service != opts.Service || (c.Oneoff() && !opts.All) {
			continue
		}
		if _, err := eng.State(c.ID); err == nil {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Oneoff() != out[j].Oneoff() {
			return out[j].Oneoff()
		}
		if out[i].Number != out[j].Number {
			return out[i].Number < out[j].Number
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// copyOne copies between the host and container c, with Compose's progress lines.
func copyOne(eng *engine.Engine, c *ContainerState, opts CopyOptions) error {
	progress := progressOrDiscard(opts.Progress)
	what := fmt.Sprintf("%s:%s to %s", c.Name, opts.Source, opts.Dest)
	if opts.ToContainer {
		what = fmt.Sprintf("%s to %s:%s", opts.Source, c.Name, opts.Dest)
	}
	fmt.Fprintf(progress, " Container %s  Copying %s\n", c.Name, what)
	if opts.DryRun {
		fmt.Fprintf(progress, " Container %s  Copied %s\n", c.Name, what)
		return nil
	}
	hostRoot, err := unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("cp: open /: %w", err)
	}
	defer unix.Close(hostRoot)
	srcPath, dstPath := opts.Source, opts.Dest
	if opts.ToContainer {
		srcPath, err = hostPath(srcPath)
	} else {
		dstPath, err = hostPath(dstPath)
	}
	if err != nil {
		return fmt.Errorf("cp: %w", err)
	}
	err = eng.WithRootfs(c.ID, func(ctrRoot int) error {
		src, dst := ctrRoot, hostRoot
		if opts.ToContainer {
			src, dst = hostRoot, ctrRoot
		}
		return copyPath(src, srcPath, dst, dstPath, opts)
	})
	if err != nil {
		return fmt.Errorf("cp %s: %w", describe(c), err)
	}
	fmt.Fprintf(progress, " Container %s  Copied %s\n", c.Name, what)
	return nil
}

// hostPath makes a host path absolute, keeping the trailing "/." or "/" that cp's
// rules look at.
func hostPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	switch {
	case p == "." || strings.HasSuffix(p, "/."):
		return strings.TrimSuffix(abs, "/") + "/.", nil
	case strings.HasSuffix(p, "/"):
		return strings.TrimSuffix(abs, "/") + "/", nil
	}
	return abs, nil
}

// resolveIn opens path below root with openat2(RESOLVE_IN_ROOT); flags as openat's.
func resolveIn(root int, path string, flags uint64) (int, error) {
	how := unix.OpenHow{Flags: flags | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
	for {
		fd, err := unix.Openat2(root, path, &how)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue // the kernel asks for a retry when a rename raced the lookup
		}
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return fd, nil
	}
}

// copyPath applies docker cp's naming rules and copies srcPath (below src) to dstPath
// (below dst).
func copyPath(src int, srcPath string, dst int, dstPath string, opts CopyOptions) error {
	contents := strings.HasSuffix(srcPath, "/.") || srcPath == "."
	srcDir, srcName := filepath.Split(filepath.Clean(srcPath))
	if srcName == "" || srcName == "/" {
		srcName = "." // the root itself
	}
	sparent, err := resolveIn(src, firstNonEmpty(srcDir, "/"), unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return err
	}
	defer unix.Close(sparent)
	if opts.FollowLink {
		// Resolve the last component too (still inside the root) and copy what it names.
		fd, err := resolveIn(sparent, srcName, unix.O_PATH)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		sparent, srcName = fd, ""
	}
	var sst unix.Stat_t
	if err := fstatat(sparent, srcName, &sst); err != nil {
		return &os.PathError{Op: "stat", Path: srcPath, Err: err}
	}
	srcIsDir := sst.Mode&unix.S_IFMT == unix.S_IFDIR
	if contents && !srcIsDir {
		return fmt.Errorf("%s: not a directory: %w", srcPath, ErrInvalid)
	}
	// An existing directory (symlinks followed, inside the root) receives the source.
	if dfd, err := resolveIn(dst, dstPath, unix.O_PATH|unix.O_DIRECTORY); err == nil {
		defer unix.Close(dfd)
		if contents {
			return copyContents(sparent, srcName, dfd, opts)
		}
		name := srcName
		if name == "" || name == "." {
			name = filepath.Base(filepath.Clean(srcPath))
		}
		return copyEntry(sparent, srcName, dfd, name, opts)
	}
	if strings.HasSuffix(dstPath, "/") && !srcIsDir {
		return fmt.Errorf("destination directory %s does not exist: %w", dstPath, ErrNotFound)
	}
	dstDir, dstName := filepath.Split(filepath.Clean(dstPath))
	dparent, err := resolveIn(dst, firstNonEmpty(dstDir, "/"), unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return fmt.Errorf("destination's parent: %w", err)
	}
	defer unix.Close(dparent)
	var dst0 unix.Stat_t
	if err := fstatat(dparent, dstName, &dst0); err == nil && srcIsDir && dst0.Mode&unix.S_IFMT != unix.S_IFDIR {
		return fmt.Errorf("cannot copy a directory onto the file %s: %w", dstPath, ErrInvalid)
	}
	if contents {
		if err := unix.Mkdirat(dparent, dstName, uint32(sst.Mode&0o7777)); err != nil {
			return &os.PathError{Op: "mkdir", Path: dstPath, Err: err}
		}
		dfd, err := openAt(dparent, dstName, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
		if err != nil {
			return &os.PathError{Op: "open", Path: dstPath, Err: err}
		}
		defer unix.Close(dfd)
		return copyContents(sparent, srcName, dfd, opts)
	}
	return copyEntry(sparent, srcName, dparent, dstName, opts)
}

// fstatat stats name in dir without following a symlink; "" is dir itself.
func fstatat(dir int, name string, st *unix.Stat_t) error {
	if name == "" {
		return unix.Fstatat(dir, "", st, unix.AT_EMPTY_PATH)
	}
	return unix.Fstatat(dir, name, st, unix.AT_SYMLINK_NOFOLLOW)
}

// openAt opens name in dir; "" reopens dir itself (an O_PATH descriptor) with flags.
func openAt(dir int, name string, flags int, mode uint32) (int, error) {
	for {
		var fd int
		var err error
		if name == "" {
			fd, err = unix.Open("/proc/self/fd/"+strconv.Itoa(dir), (flags&^unix.O_NOFOLLOW)|unix.O_CLOEXEC, mode)
		} else {
			fd, err = unix.Openat(dir, name, flags|unix.O_CLOEXEC, mode)
		}
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// copyContents copies every entry of directory name in sdir into the directory dfd.
func copyContents(sdir int, name string, dfd int, opts CopyOptions) error {
	sfd, err := openAt(sdir, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(sfd), name)
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("read directory %s: %w", name, err)
	}
	for _, n := range names {
		if err := copyEntry(sfd, n, dfd, n, opts); err != nil {
			return err
		}
	}
	return nil
}

// copyEntry copies sname in sdir to dname in ddir: a directory recursively, a regular
// file by content, a symlink as a symlink; it replaces an existing non-directory at
// the destination and merges into an existing directory.
func copyEntry(sdir int, sname string, ddir int, dname string, opts CopyOptions) error {
	var st unix.Stat_t
	if err := fstatat(sdir, sname, &st); err != nil {
		return &os.PathError{Op: "stat", Path: sname, Err: err}
	}
	perm := uint32(st.Mode & 0o7777)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		if err := unix.Mkdirat(ddir, dname, perm); err != nil && !errors.Is(err, unix.EEXIST) {
			return &os.PathError{Op: "mkdir", Path: dname, Err: err}
		}
		dfd, err := openAt(ddir, dname, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
		if err != nil {
			return &os.PathError{Op: "open", Path: dname, Err: err}
		}
		defer unix.Close(dfd)
		if err := copyContents(sdir, sname, dfd, opts); err != nil {
			return err
		}
		if err := unix.Fchmod(dfd, perm); err != nil {
			return &os.PathError{Op: "chmod", Path: dname, Err: err}
		}
	case unix.S_IFREG:
		if err := copyFile(sdir, sname, ddir, dname, perm); err != nil {
			return err
		}
	case unix.S_IFLNK:
		target := make([]byte, unix.PathMax)
		n, err := unix.Readlinkat(sdir, sname, target)
		if err != nil {
			return &os.PathError{Op: "readlink", Path: sname, Err: err}
		}
		if err := unix.Unlinkat(ddir, dname, 0); err != nil && !errors.Is(err, unix.ENOENT) {
			return &os.PathError{Op: "replace", Path: dname, Err: err}
		}
		if err := unix.Symlinkat(string(target[:n]), ddir, dname); err != nil {
			return &os.PathError{Op: "symlink", Path: dname, Err: err}
		}
	default:
		return fmt.Errorf("%s: cannot copy a device, socket or fifo: %w", sname, ErrInvalid)
	}
	if opts.Archive {
		if err := unix.Fchownat(ddir, dname, int(st.Uid), int(st.Gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &os.PathError{Op: "chown", Path: dname, Err: err}
		}
	}
	return nil
}

// copyFile copies the regular file sname in sdir to dname in ddir. A symlink at the
// destination is replaced, never written through.
func copyFile(sdir int, sname string, ddir int, dname string, perm uint32) error {
	sfd, err := openAt(sdir, sname, unix.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: sname, Err: err}
	}
	in := os.NewFile(uintptr(sfd), sname)
	defer in.Close()
	flags := unix.O_WRONLY | unix.O_CREAT | unix.O_TRUNC | unix.O_NOFOLLOW
	dfd, err := openAt(ddir, dname, flags, perm)
	if errors.Is(err, unix.ELOOP) {
		if err = unix.Unlinkat(ddir, dname, 0); err == nil {
			dfd, err = openAt(ddir, dname, flags|unix.O_EXCL, perm)
		}
	}
	if err != nil {
		return &os.PathError{Op: "create", Path: dname, Err: err}
	}
	out := os.NewFile(uintptr(dfd), dname)
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", dname, err)
	}
	if err := unix.Fchmod(dfd, perm); err != nil {
		out.Close()
		return &os.PathError{Op: "chmod", Path: dname, Err: err}
	}
	return out.Close()
}
