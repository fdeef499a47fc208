package image

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"
)

// WriteLayerTar writes the stored layer diffID to w as an uncompressed OCI layer tar:
// the inverse of Unpack. Overlay whiteouts (0/0 character devices) become ".wh.NAME"
// entries and opaque directories a ".wh..wh..opq" entry; owners, modes, times, hard
// links, symlinks, device nodes and xattrs are kept. Entries come in lexical order
// with PAX headers, so the same layer dir always gives the same bytes; they are not
// the bytes the layer was unpacked from, so the tar's digest is in general not
// diffID. A layer that is not stored yields ErrNotFound.
func (s *Store) WriteLayerTar(diffID v1.Hash, w io.Writer) error {
	root := s.layerPath(diffID)
	if _, err := os.Lstat(root); err != nil {
		return fmt.Errorf("layer %s: %w", diffID, ErrNotFound)
	}
	if err := writeDirTar(root, w); err != nil {
		return fmt.Errorf("tar layer %s: %w", diffID, err)
	}
	return nil
}

// WriteDirTar writes the tree under dir to w as WriteLayerTar writes a stored layer:
// an overlay upper dir comes out as the layer of its changes, a plain (or merged
// overlay) tree as an archive of its files, as `docker export` writes one. Overlay
// features a layer cannot express (redirected directories, metadata-only copies)
// fail with ErrInvalid. The directory itself is not an entry.
func WriteDirTar(dir string, w io.Writer) error {
	if err := writeDirTar(dir, w); err != nil {
		return fmt.Errorf("tar %s: %w", dir, err)
	}
	return nil
}

func writeDirTar(root string, w io.Writer) error {
	lt := &layerWriter{tw: tar.NewWriter(w), root: root, links: map[uint64]string{}}
	if err := lt.dir(""); err != nil {
		return err
	}
	return lt.tw.Close()
}

type layerWriter struct {
	tw    *tar.Writer
	root  string
	links map[uint64]string // inode of a file with several links -> first name written
}

// dir writes the entries of rel (relative to the layer root), depth first.
func (l *layerWriter) dir(rel string) error {
	ents, err := os.ReadDir(filepath.Join(l.root, rel))
	if err != nil {
		return err
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	for _, e := range ents {
		name := filepath.Join(rel, e.Name())
		if err := l.entry(name); err != nil {
			return err
		}
	}
	return nil
}

func (l *layerWriter) entry(name string) error {
	p := filepath.Join(l.root, name)
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	st := fi.Sys().(*syscall.Stat_t)
	if fi.Mode()&fs.ModeCharDevice != 0 && st.Rdev == 0 {
		dir, base := filepath.Split(name)
		return l.tw.WriteHeader(&tar.Header{Name: dir + whiteoutPrefix + base, Typeflag: tar.TypeReg,
			ModTime: epochTime, Format: tar.FormatPAX})
	}
	hdr, err := l.header(name, p, fi, st)
	if err != nil {
		return err
	}
	if err := l.tw.WriteHeader(hdr); err != nil {
		return err
	}
	switch {
	case hdr.Typeflag == tar.TypeReg && hdr.Size > 0:
		return copyFile(l.tw, p)
	case fi.IsDir():
		if v, err := getxattr(p, opaqueXattr); err == nil && string(v) == "y" {
			wh := &tar.Header{Name: name + "/" + whiteoutOpaque, Typeflag: tar.TypeReg, ModTime: epochTime, Format: tar.FormatPAX}
			if err := l.tw.WriteHeader(wh); err != nil {
				return err
			}
		}
		return l.dir(name)
	}
	return nil
}

// epochTime is the mtime of the entries berth makes up (whiteouts).
var epochTime = time.Unix(0, 0).UTC()

func (l *layerWriter) header(name, p string, fi fs.FileInfo, st *syscall.Stat_t) (*tar.Header, error) {
	var link string
	if fi.Mode()&fs.ModeSymlink != 0 {
		var err error
		if link, err = os.Readlink(p); err != nil {
			return nil, err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return nil, err
	}
	hdr.Name, hdr.Format = filepath.ToSlash(name), tar.FormatPAX
	if fi.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = int(st.Uid), int(st.Gid), "", ""
	hdr.ModTime = time.Unix(st.Mtim.Unix()).UTC()
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	if fi.Mode().IsRegular() && st.Nlink > 1 {
		if first, ok := l.links[st.Ino]; ok {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
			return hdr, nil
		}
		l.links[st.Ino] = hdr.Name
	}
	xattrs, err := listxattrs(p)
	if err != nil {
		return nil, err
	}
	for _, x := range xattrs {
		if x == "trusted.overlay.redirect" || x == "trusted.overlay.metacopy" {
			return nil, fmt.Errorf("%s: overlayfs recorded %s, which a layer cannot express: %w", name, x, ErrInvalid)
		}
		if x == opaqueXattr || strings.HasPrefix(x, "trusted.overlay.") {
			continue
		}
		v, err := getxattr(p, x)
		if err != nil {
			return nil, err
		}
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = map[string]string{}
		}
		hdr.PAXRecords["SCHILY.xattr."+x] = string(v)
	}
	return hdr, nil
}

func copyFile(w io.Writer, p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

func listxattrs(p string) ([]string, error) {
	n, err := unix.Llistxattr(p, nil)
	if err != nil || n == 0 {
		if err == unix.ENOTSUP {
			err = nil
		}
		return nil, err
	}
	buf := make([]byte, n)
	if n, err = unix.Llistxattr(p, buf); err != nil {
		return nil, err
	}
	var out []string
	for _, x := range strings.Split(string(buf[:n]), "\x00") {
		if x != "" {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out, nil
}

func getxattr(p, name string) ([]byte, error) {
	n, err := unix.Lgetxattr(p, name, nil)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	n, err = unix.Lgetxattr(p, name, buf)
	return buf[:n], err
}
