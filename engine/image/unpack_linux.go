package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

const (
	whiteoutPrefix = ".wh."
	whiteoutOpaque = ".wh..wh..opq"
	opaqueXattr    = "trusted.overlay.opaque"
)

// unpacker writes the entries of one layer tar into a directory in overlayfs form.
// Every path is resolved with openat2(RESOLVE_BENEATH) relative to the directory fd,
// so neither "..", absolute names nor symlinks can lead outside it.
type unpacker struct {
	root    *os.File
	chown   bool
	dirTime []dirTime
}

type dirTime struct {
	name string
	hdr  *tar.Header
}

// Unpack extracts the layer tar read from r into dir (which must exist), converting
// whiteouts to overlayfs form: ".wh.NAME" becomes a 0/0 character device NAME and
// ".wh..wh..opq" sets trusted.overlay.opaque=y on its directory. Ownership (when
// running as root), modes, hard links, symlinks, device nodes, xattrs and times are
// kept. An entry that would write outside dir fails with an error wrapping ErrInvalid;
// nothing is then ever written outside dir.
func Unpack(dir string, r io.Reader) error {
	root, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open layer dir: %w", err)
	}
	defer root.Close()
	u := &unpacker{root: root, chown: os.Geteuid() == 0}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read layer tar: %w", err)
		}
		if err := u.entry(hdr, tr); err != nil {
			return fmt.Errorf("unpack %q: %w", hdr.Name, err)
		}
	}
	for i := len(u.dirTime) - 1; i >= 0; i-- {
		d := u.dirTime[i]
		if err := u.setTimes(d.name, d.hdr); err != nil {
			return fmt.Errorf("unpack %q: %w", d.name, err)
		}
	}
	return nil
}

// cleanName validates a tar entry name and returns it relative to the layer root
// ("." for the root itself).
func cleanName(name string) (string, error) {
	if strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("absolute path: %w", ErrInvalid)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("path climbs out with \"..\": %w", ErrInvalid)
		}
	}
	return path.Clean(name), nil
}

func (u *unpacker) entry(hdr *tar.Header, r io.Reader) error {
	name, err := cleanName(hdr.Name)
	if err != nil {
		return err
	}
	parent, base, err := u.openParent(name)
	if err != nil {
		return err
	}
	defer unix.Close(parent)

	if base == whiteoutOpaque {
		// Setxattr follows the /proc magic link to the directory itself.
		return unix.Setxattr("/proc/self/fd/"+strconv.Itoa(parent), opaqueXattr, []byte("y"), 0)
	}
	if strings.HasPrefix(base, whiteoutPrefix) {
		target := strings.TrimPrefix(base, whiteoutPrefix)
		if target == "" || target == "." || target == ".." {
			return fmt.Errorf("whiteout of %q: %w", target, ErrInvalid)
		}
		if err := removeEntry(parent, target); err != nil {
			return err
		}
		return unix.Mknodat(parent, target, unix.S_IFCHR, 0)
	}
	if err := u.create(parent, base, hdr, r); err != nil {
		return err
	}
	return u.finish(parent, name, base, hdr)
}

// openDir opens dir beneath the layer root, creating missing components.
func (u *unpacker) openDir(dir string) (int, error) {
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	how := &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	}
	fd, err := unix.Openat2(int(u.root.Fd()), dir, how)
	for err == unix.EAGAIN || err == unix.EINTR {
		// RESOLVE_BENEATH fails with EAGAIN when a rename anywhere on the system raced
		// the lookup ("..", which layers never hold, would be unsafe then): retry.
		fd, err = unix.Openat2(int(u.root.Fd()), dir, how)
	}
	if err == nil {
		return fd, nil
	}
	if errors.Is(err, unix.EXDEV) || errors.Is(err, unix.ELOOP) {
		return -1, fmt.Errorf("parent %q resolves outside the layer: %w", dir, ErrInvalid)
	}
	if !errors.Is(err, unix.ENOENT) || dir == "." {
		return -1, fmt.Errorf("open parent %q: %w", dir, err)
	}
	up, base := path.Split(dir)
	pfd, err := u.openDir(up)
	if err != nil {
		return -1, err
	}
	defer unix.Close(pfd)
	if err := unix.Mkdirat(pfd, base, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, fmt.Errorf("create parent %q: %w", dir, err)
	}
	return u.openDir(dir)
}

// removeEntry removes name in parent unless it is a directory, which a later
// entry of the same layer may only update.
func removeEntry(parent int, name string) error {
	var st unix.Stat_t
	err := unix.Fstatat(parent, name, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		if err := unix.Unlinkat(parent, name, unix.AT_REMOVEDIR); err != nil && !errors.Is(err, unix.ENOTEMPTY) {
			return err
		}
		return nil
	}
	return unix.Unlinkat(parent, name, 0)
}

func (u *unpacker) create(parent int, base string, hdr *tar.Header, r io.Reader) error {
	if base == "." {
		return nil
	}
	if hdr.Typeflag != tar.TypeDir {
		if err := removeEntry(parent, base); err != nil {
			return err
		}
	}
	mode := uint32(hdr.Mode) & 0o7777
	switch hdr.Typeflag {
	case tar.TypeDir:
		var st unix.Stat_t
		if err := unix.Fstatat(parent, base, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil && st.Mode&unix.S_IFMT != unix.S_IFDIR {
			if err := unix.Unlinkat(parent, base, 0); err != nil {
				return err
			}
		}
		if err := unix.Mkdirat(parent, base, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
			return err
		}
		return nil
	case tar.TypeReg: // tar.Reader reports old-style TypeRegA entries as TypeReg
		return writeFile(parent, base, r)
	case tar.TypeSymlink:
		return unix.Symlinkat(hdr.Linkname, parent, base)
	case tar.TypeLink:
		return u.hardlink(parent, base, hdr.Linkname)
	case tar.TypeChar:
		return unix.Mknodat(parent, base, unix.S_IFCHR|mode, int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))))
	case tar.TypeBlock:
		return unix.Mknodat(parent, base, unix.S_IFBLK|mode, int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))))
	case tar.TypeFifo:
		return unix.Mkfifoat(parent, base, mode)
	default:
		return fmt.Errorf("unsupported tar entry type %q: %w", string(hdr.Typeflag), ErrInvalid)
	}
}

func writeFile(parent int, base string, r io.Reader) error {
	fd, err := unix.Openat(parent, base, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), base)
	bp := copyBufs.Get().(*[]byte)
	// writerOnly hides (*os.File).ReadFrom, whose splice attempts are slower here
	// than plain large writes.
	_, err = io.CopyBuffer(writerOnly{f}, r, *bp)
	copyBufs.Put(bp)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

type writerOnly struct{ io.Writer }

func (u *unpacker) hardlink(parent int, base, linkname string) error {
	target, err := cleanName(linkname)
	if err != nil {
		return fmt.Errorf("hard link target %q: %w", linkname, err)
	}
	dir, tbase := path.Split(target)
	tfd, err := u.openDir(dir)
	if err != nil {
		return fmt.Errorf("hard link target %q: %w", linkname, err)
	}
	defer unix.Close(tfd)
	return unix.Linkat(tfd, tbase, parent, base, 0)
}

// finish applies ownership, mode, xattrs and times to the entry just created.
func (u *unpacker) finish(parent int, name, base string, hdr *tar.Header) error {
	if hdr.Typeflag == tar.TypeLink {
		return nil
	}
	if u.chown {
		if err := unix.Fchownat(parent, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
	}
	proc := "/proc/self/fd/" + strconv.Itoa(parent) + "/" + base
	setxattr := unix.Lsetxattr
	if base == "." {
		proc, setxattr = "/proc/self/fd/"+strconv.Itoa(parent), unix.Setxattr
	}
	for key, val := range hdr.PAXRecords {
		attr, ok := strings.CutPrefix(key, "SCHILY.xattr.")
		if !ok {
			continue
		}
		if err := setxattr(proc, attr, []byte(val), 0); err != nil {
			return fmt.Errorf("set xattr %q: %w", attr, err)
		}
	}
	if hdr.Typeflag != tar.TypeSymlink {
		// fchmodat follows a final symlink; base was just created as a non-symlink.
		if err := unix.Fchmodat(parent, base, uint32(hdr.FileInfo().Mode().Perm())|specialBits(hdr.Mode), 0); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	if hdr.Typeflag == tar.TypeDir {
		u.dirTime = append(u.dirTime, dirTime{name: name, hdr: hdr})
		return nil
	}
	return setTimesAt(parent, base, hdr)
}

func specialBits(mode int64) uint32 {
	return uint32(mode) & (unix.S_ISUID | unix.S_ISGID | unix.S_ISVTX)
}

func (u *unpacker) setTimes(name string, hdr *tar.Header) error {
	parent, base, err := u.openParent(name)
	if err != nil {
		return err
	}
	defer unix.Close(parent)
	return setTimesAt(parent, base, hdr)
}

func setTimesAt(parent int, base string, hdr *tar.Header) error {
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
	if err := unix.UtimesNanoAt(parent, base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("set times: %w", err)
	}
	return nil
}

// openParent opens, beneath the layer root, the directory that holds name and returns its fd
// with the last element of name ("." for the root itself). The caller closes the fd.
func (u *unpacker) openParent(name string) (parent int, base string, err error) {
	dir, base := path.Split(name)
	if name == "." {
		dir, base = ".", "."
	}
	parent, err = u.openDir(dir)
	return parent, base, err
}
