package builder

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// epoch is the mtime of directories a build creates, so that the same COPY or
// WORKDIR produces the same layer (and diffID) every time.
var epoch = time.Unix(0, 0).UTC()

// layerTar writes one new layer as a tar stream, over the merged view of the layers
// below it. Every directory it writes into is written first: with its current
// metadata when it exists below, or as a new 0755 directory.
type layerTar struct {
	tw   *tar.Writer
	fs   layerFS
	done map[string]bool // paths already written
	// owner, when set, replaces the owner of every entry written (COPY --chown).
	owner *[2]int
	// mode, when set, replaces the permission bits of copied entries (--chmod).
	mode *fs.FileMode
}

// writeLayer streams the tar that gen writes into the image store as a new layer.
func (b *builder) writeLayer(lower layerFS, gen func(t *layerTar) error) (v1.Descriptor, error) {
	pr, pw := io.Pipe()
	go func() {
		t := &layerTar{tw: tar.NewWriter(pw), fs: lower, done: map[string]bool{}}
		err := gen(t)
		if err == nil {
			err = t.tw.Close()
		}
		pw.CloseWithError(err)
	}()
	desc, err := b.opts.Store.AddLayer(pr)
	pr.CloseWithError(io.ErrClosedPipe) // unblock the writer if AddLayer stopped early
	return desc, err
}

// dirs writes dir and its parents (relative, resolved paths), root excluded.
func (t *layerTar) dirs(dir string) error {
	parts := splitPath(dir)
	for i := range parts {
		p := path.Join(parts[:i+1]...)
		if t.done[p] {
			continue
		}
		n, err := t.fs.lstat(p)
		if err == nil && n.info.IsDir() {
			if err := t.entry(p, n.hostPath, n.info); err != nil {
				return err
			}
			continue
		}
		hdr := &tar.Header{Name: p + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX}
		if t.owner != nil && i == len(parts)-1 {
			hdr.Uid, hdr.Gid = t.owner[0], t.owner[1]
		}
		if err := t.write(hdr, ""); err != nil {
			return err
		}
	}
	return nil
}

// newDir writes rel as the directory a copy fills: with its existing metadata when
// it exists below, else with fi's (owner as copied does).
func (t *layerTar) newDir(rel string, fi fs.FileInfo, keepOwner bool) error {
	if rel == "" || t.done[rel] {
		return nil
	}
	if err := t.dirs(path.Dir(rel)); err != nil {
		return err
	}
	if n, err := t.fs.lstat(rel); err == nil && n.info.IsDir() {
		return t.entry(rel, n.hostPath, n.info)
	}
	return t.copied(rel, "", fi, keepOwner)
}

// entry writes an existing directory of the layers below, unchanged.
func (t *layerTar) entry(rel, hostPath string, fi fs.FileInfo) error {
	hdr, err := header(rel, hostPath, fi)
	if err != nil || hdr == nil {
		return err
	}
	return t.write(hdr, hostPath)
}

// copied writes a copied entry, after its parents; keepOwner keeps the source's owner
// unless --chown is given.
func (t *layerTar) copied(rel, hostPath string, fi fs.FileInfo, keepOwner bool) error {
	if err := t.dirs(path.Dir(rel)); err != nil {
		return err
	}
	hdr, err := header(rel, hostPath, fi)
	if err != nil || hdr == nil {
		return err
	}
	if !keepOwner {
		hdr.Uid, hdr.Gid = 0, 0
	}
	if t.owner != nil {
		hdr.Uid, hdr.Gid = t.owner[0], t.owner[1]
	}
	if t.mode != nil && hdr.Typeflag != tar.TypeSymlink {
		hdr.Mode = int64(*t.mode)
	}
	return t.write(hdr, hostPath)
}

func (t *layerTar) write(hdr *tar.Header, hostPath string) error {
	rel := path.Clean(hdr.Name)
	if err := t.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write layer entry %s: %w", rel, err)
	}
	t.done[rel] = true
	if hdr.Typeflag != tar.TypeReg || hdr.Size == 0 {
		return nil
	}
	f, err := os.Open(hostPath)
	if err != nil {
		return fmt.Errorf("copy %s: %w", rel, err)
	}
	defer f.Close()
	n, err := io.Copy(t.tw, io.LimitReader(f, hdr.Size))
	if err != nil {
		return fmt.Errorf("copy %s: %w", rel, err)
	}
	if n != hdr.Size {
		return fmt.Errorf("copy %s: file shrank from %d to %d bytes while copying", rel, hdr.Size, n)
	}
	return nil
}

// header describes fi as the tar entry rel; it returns nil for sockets, which a
// layer cannot hold.
func header(rel, hostPath string, fi fs.FileInfo) (*tar.Header, error) {
	mode := fi.Mode()
	perm := int64(mode.Perm())
	if mode&fs.ModeSetuid != 0 {
		perm |= unix.S_ISUID
	}
	if mode&fs.ModeSetgid != 0 {
		perm |= unix.S_ISGID
	}
	if mode&fs.ModeSticky != 0 {
		perm |= unix.S_ISVTX
	}
	hdr := &tar.Header{Name: rel, Mode: perm, ModTime: fi.ModTime(), Format: tar.FormatPAX}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		hdr.Uid, hdr.Gid = int(st.Uid), int(st.Gid)
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	}
	switch {
	case mode.IsDir():
		hdr.Typeflag, hdr.Name = tar.TypeDir, rel+"/"
	case mode.IsRegular():
		hdr.Typeflag, hdr.Size = tar.TypeReg, fi.Size()
	case mode&fs.ModeSymlink != 0:
		target, err := os.Readlink(hostPath)
		if err != nil {
			return nil, fmt.Errorf("read link %s: %w", rel, err)
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
	case mode&fs.ModeCharDevice != 0:
		hdr.Typeflag = tar.TypeChar
	case mode&fs.ModeDevice != 0:
		hdr.Typeflag = tar.TypeBlock
	case mode&fs.ModeNamedPipe != 0:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil, nil
	}
	if hdr.Typeflag != tar.TypeChar && hdr.Typeflag != tar.TypeBlock {
		hdr.Devmajor, hdr.Devminor = 0, 0
	}
	return hdr, nil
}
