package builder

import (
	"archive/tar"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// mountArtifacts lists the paths the engine creates in a container's upper dir only
// to mount over them (/proc, /sys, /dev, /etc/hosts, /etc/resolv.conf,
// /etc/hostname and their parent /etc) when the image lacks them. Left empty by the
// command, they are not part of a RUN's changes, as in Docker.
func mountArtifacts(lower layerFS) map[string]bool {
	out := map[string]bool{}
	for _, p := range []string{"proc", "sys", "dev", "etc", "etc/hosts", "etc/resolv.conf", "etc/hostname"} {
		if _, err := lower.lstat(p); err != nil {
			out[p] = true
		}
	}
	return out
}

// upperEntry is one entry of an overlay upper dir.
type upperEntry struct {
	rel  string
	path string
	info fs.FileInfo
}

// diffLayer turns the overlay upper dir of a finished RUN into a layer: overlay
// whiteouts (0/0 character devices) become ".wh.NAME" entries and opaque directories
// get ".wh..wh..opq". It returns nil when the command changed nothing.
func (b *builder) diffLayer(upper string, lower layerFS, artifacts map[string]bool) (*v1.Descriptor, error) {
	var entries []upperEntry
	err := filepath.WalkDir(upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == upper {
			return nil
		}
		rel, _ := filepath.Rel(upper, p)
		rel = filepath.ToSlash(rel)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if artifacts[rel] && (isEmpty(p, fi) || (fi.IsDir() && dirHasOnlyArtifacts(p, rel, artifacts))) {
			return nil
		}
		entries = append(entries, upperEntry{rel, p, fi})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk upper dir: %w", err)
	}
	if len(entries) == 0 {
		return nil, nil
	}
	desc, err := b.writeLayer(lower, func(t *layerTar) error {
		links := map[uint64]string{}
		for _, e := range entries {
			if err := writeUpperEntry(t, e, links); err != nil {
				return fmt.Errorf("%s: %w", e.rel, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &desc, nil
}

// isEmpty reports whether p is an empty directory or an empty regular file.
func isEmpty(p string, fi fs.FileInfo) bool {
	if fi.Mode().IsRegular() {
		return fi.Size() == 0
	}
	if !fi.IsDir() {
		return false
	}
	ents, err := os.ReadDir(p)
	if err != nil {
		return false
	}
	return len(ents) == 0
}

func writeUpperEntry(t *layerTar, e upperEntry, links map[uint64]string) error {
	dir, base := path.Split(e.rel)
	if isWhiteout(e.info) {
		hdr := &tar.Header{Name: dir + ".wh." + base, Typeflag: tar.TypeReg, Mode: 0o600, ModTime: epoch, Format: tar.FormatPAX}
		return t.tw.WriteHeader(hdr)
	}
	hdr, err := header(e.rel, e.path, e.info)
	if err != nil || hdr == nil {
		return err
	}
	st, _ := e.info.Sys().(*syscall.Stat_t)
	if hdr.Typeflag == tar.TypeReg && st != nil && st.Nlink > 1 {
		if first, ok := links[st.Ino]; ok {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
		} else {
			links[st.Ino] = e.rel
		}
	}
	opaque := false
	if err := upperXattrs(e.path, hdr, &opaque); err != nil {
		return err
	}
	if err := t.write(hdr, e.path); err != nil {
		return err
	}
	if opaque {
		return t.tw.WriteHeader(&tar.Header{Name: e.rel + "/.wh..wh..opq", Typeflag: tar.TypeReg, Mode: 0o600, ModTime: epoch, Format: tar.FormatPAX})
	}
	return nil
}

// dirHasOnlyArtifacts reports whether the directory holds nothing but empty
// artifacts, at any depth (an /etc made only for the mounted /etc/hosts, a
// /run/secrets/ made only for a RUN's secret).
func dirHasOnlyArtifacts(p, rel string, artifacts map[string]bool) bool {
	ents, err := os.ReadDir(p)
	if err != nil {
		return false
	}
	for _, ent := range ents {
		child, cp := path.Join(rel, ent.Name()), filepath.Join(p, ent.Name())
		fi, err := os.Lstat(cp)
		if err != nil || !artifacts[child] {
			return false
		}
		if !isEmpty(cp, fi) && !(fi.IsDir() && dirHasOnlyArtifacts(cp, child, artifacts)) {
			return false
		}
	}
	return true
}

// upperXattrs copies the entry's extended attributes into hdr, except overlayfs's
// own; it reports an opaque directory. Overlay features that a layer cannot express
// (redirected directories, metadata-only copies) fail.
func upperXattrs(p string, hdr *tar.Header, opaque *bool) error {
	names, err := listXattrs(p)
	if err != nil {
		return err
	}
	for _, name := range names {
		switch {
		case name == opaqueXattr:
			*opaque = hdr.Typeflag == tar.TypeDir && isOpaque(p)
			continue
		case name == "trusted.overlay.redirect" || name == "trusted.overlay.metacopy":
			return fmt.Errorf("overlayfs recorded %s, which an image layer cannot express", name)
		case strings.HasPrefix(name, "trusted.overlay."):
			continue
		}
		val, err := getXattr(p, name)
		if err != nil {
			return err
		}
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = map[string]string{}
		}
		hdr.PAXRecords["SCHILY.xattr."+name] = string(val)
	}
	return nil
}

func listXattrs(p string) ([]string, error) {
	size, err := unix.Llistxattr(p, nil)
	if err != nil || size == 0 {
		if errors.Is(err, unix.ENOTSUP) {
			return nil, nil
		}
		return nil, err
	}
	buf := make([]byte, size)
	n, err := unix.Llistxattr(p, buf)
	if err != nil {
		return nil, fmt.Errorf("list xattrs: %w", err)
	}
	var out []string
	for _, s := range strings.Split(string(buf[:n]), "\x00") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

func getXattr(p, name string) ([]byte, error) {
	size, err := unix.Lgetxattr(p, name, nil)
	if err != nil {
		return nil, fmt.Errorf("get xattr %s: %w", name, err)
	}
	buf := make([]byte, size)
	n, err := unix.Lgetxattr(p, name, buf)
	if err != nil {
		return nil, fmt.Errorf("get xattr %s: %w", name, err)
	}
	return buf[:n], nil
}
