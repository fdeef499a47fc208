package builder

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/berth-dev/berth/builder/dockerfile"
)

// Magic numbers of the compressions ADD recognises.
var (
	gzipMagic  = []byte{0x1f, 0x8b}
	bzip2Magic = []byte("BZh")
	xzMagic    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	zstdMagic  = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// openArchive opens a local file as an uncompressed tar stream: plain, gzip or
// bzip2. ok is false when the file is not a tar archive (ADD then copies it as is).
func openArchive(name string) (r io.Reader, closer io.Closer, ok bool, err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, false, err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(6)
	var stream io.Reader = br
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, false, nil
		}
		stream = zr
	case bytes.HasPrefix(head, bzip2Magic):
		stream = bzip2.NewReader(br)
	case bytes.HasPrefix(head, xzMagic), bytes.HasPrefix(head, zstdMagic):
		f.Close()
		return nil, nil, false, fmt.Errorf("xz and zstd archives are %w: use a plain, gzip or bzip2 tar", dockerfile.ErrUnsupported)
	}
	tb := bufio.NewReaderSize(stream, 1024)
	block, err := tb.Peek(512)
	if err != nil || string(block[257:262]) != "ustar" {
		f.Close()
		return nil, nil, false, nil
	}
	return tb, f, true, nil
}

// isArchive reports whether ADD extracts the local file name.
func isArchive(name string) (bool, error) {
	_, c, ok, err := openArchive(name)
	if c != nil {
		c.Close()
	}
	return ok, err
}

// extract writes the entries of the tar archive hostPath below dest. Owners, modes
// and times come from the archive (--chown and --chmod still apply); entries that
// would leave dest, or that are named like whiteouts, are refused.
func (t *layerTar) extract(hostPath, dest string) error {
	r, c, ok, err := openArchive(hostPath)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("not a tar archive")
	}
	defer c.Close()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read archive: %w", err)
		}
		name, err := archiveName(hdr.Name)
		if err != nil {
			return err
		}
		if name == "" {
			continue
		}
		out := *hdr
		out.Name = path.Join(dest, name)
		out.Format = tar.FormatPAX
		out.Uname, out.Gname = "", ""
		if hdr.Typeflag == tar.TypeDir {
			out.Name += "/"
		}
		if hdr.Typeflag == tar.TypeLink {
			link, err := archiveName(hdr.Linkname)
			if err != nil || link == "" {
				return fmt.Errorf("archive entry %q: hard link to %q leaves the archive", hdr.Name, hdr.Linkname)
			}
			out.Linkname = path.Join(dest, link)
		}
		if t.owner != nil {
			out.Uid, out.Gid = t.owner[0], t.owner[1]
		}
		if t.mode != nil && hdr.Typeflag != tar.TypeSymlink {
			out.Mode = int64(*t.mode)
		}
		if err := t.dirs(path.Dir(path.Join(dest, name))); err != nil {
			return err
		}
		if err := t.tw.WriteHeader(&out); err != nil {
			return fmt.Errorf("archive entry %q: %w", hdr.Name, err)
		}
		t.done[path.Join(dest, name)] = true
		if hdr.Typeflag == tar.TypeReg {
			if _, err := io.Copy(t.tw, tr); err != nil {
				return fmt.Errorf("archive entry %q: %w", hdr.Name, err)
			}
		}
	}
}

// archiveName cleans an archive entry name; "" is the archive's root.
func archiveName(name string) (string, error) {
	clean := path.Clean("/" + name)
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("archive entry %q climbs out with \"..\"", name)
		}
	}
	if strings.HasPrefix(path.Base(clean), ".wh.") {
		return "", fmt.Errorf("archive entry %q has a whiteout name (.wh.)", name)
	}
	return strings.TrimPrefix(clean, "/"), nil
}
