package image

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Load stores every image of a docker-save archive (manifest.json) or an OCI image
// layout archive (index.json, oci-layout) read from r, registering all tags it names.
// In an OCI archive a tag comes from the "org.opencontainers.image.ref.name" or
// "io.containerd.image.name" annotation. An archive of neither kind yields ErrInvalid.
func (s *Store) Load(ctx context.Context, r io.Reader) ([]*Image, error) {
	dir, err := os.MkdirTemp(filepath.Join(s.root, "tmp"), "load-")
	if err != nil {
		return nil, fmt.Errorf("load archive: %w", err)
	}
	defer os.RemoveAll(dir)
	archive := filepath.Join(dir, "archive.tar")
	docker, err := spoolArchive(archive, r)
	if err != nil {
		return nil, fmt.Errorf("load archive: %w", err)
	}
	if docker {
		imgs, err := s.loadDocker(ctx, archive)
		if err != nil {
			return nil, fmt.Errorf("load docker archive: %w", err)
		}
		return imgs, nil
	}
	f, err := os.Open(archive)
	if err != nil {
		return nil, fmt.Errorf("load archive: %w", err)
	}
	defer f.Close()
	oci := filepath.Join(dir, "oci")
	if err := os.Mkdir(oci, 0o700); err != nil {
		return nil, fmt.Errorf("load archive: %w", err)
	}
	if err := extractArchive(oci, f); err != nil {
		return nil, fmt.Errorf("load archive: %w", err)
	}
	if _, err := os.Stat(filepath.Join(oci, "index.json")); err != nil {
		return nil, fmt.Errorf("load archive: no manifest.json or index.json: %w", ErrInvalid)
	}
	imgs, err := s.loadOCI(ctx, oci)
	if err != nil {
		return nil, fmt.Errorf("load OCI archive: %w", err)
	}
	return imgs, nil
}

// spoolArchive copies the archive to path and reports whether it is a docker-save
// archive (it has a top-level manifest.json).
func spoolArchive(path string, r io.Reader) (bool, error) {
	f, err := os.Create(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	tr := tar.NewReader(io.TeeReader(r, f))
	docker := false
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return false, fmt.Errorf("read archive: %w", err)
		}
		if n := filepath.Clean(hdr.Name); n == "manifest.json" {
			docker = true
		}
	}
	if _, err := io.Copy(f, r); err != nil {
		return false, err
	}
	return docker, f.Close()
}

// extractArchive unpacks the archive's regular files and directories into dir.
func extractArchive(dir string, r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeReg && hdr.Typeflag != tar.TypeDir && hdr.Typeflag != tar.TypeSymlink {
			continue
		}
		if err := Unpack(dir, singleEntry(hdr, tr)); err != nil {
			return err
		}
	}
}

// singleEntry re-encodes one tar entry as a tar stream for Unpack, which owns the
// path-safety checks.
func singleEntry(hdr *tar.Header, r io.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		h := *hdr
		h.Uid, h.Gid, h.Uname, h.Gname = os.Geteuid(), os.Getegid(), "", ""
		h.PAXRecords = nil
		err := tw.WriteHeader(&h)
		if err == nil {
			_, err = io.Copy(tw, r)
		}
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

func (s *Store) loadDocker(ctx context.Context, archive string) ([]*Image, error) {
	opener := func() (io.ReadCloser, error) { return os.Open(archive) }
	m, err := tarball.LoadManifest(opener)
	if err != nil {
		return nil, err
	}
	var out []*Image
	for i, desc := range m {
		tags, err := normalizeAll(desc.RepoTags)
		if err != nil {
			return nil, err
		}
		var img v1.Image
		switch {
		case len(desc.RepoTags) > 0:
			tag, terr := name.NewTag(desc.RepoTags[0])
			if terr != nil {
				return nil, fmt.Errorf("tag %q: %w: %w", desc.RepoTags[0], ErrInvalid, terr)
			}
			img, err = tarball.Image(opener, &tag)
		case len(m) == 1:
			img, err = tarball.Image(opener, nil)
		default:
			err = fmt.Errorf("untagged image %d in a multi-image archive: %w", i, ErrInvalid)
		}
		if err != nil {
			return nil, err
		}
		stored, err := s.add(ctx, img, tags, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, stored)
	}
	return out, nil
}

func normalizeAll(refs []string) ([]string, error) {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		n, err := NormalizeRef(r)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func (s *Store) loadOCI(ctx context.Context, dir string) ([]*Image, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []*Image
	for _, desc := range im.Manifests {
		img, err := ociImage(idx, desc)
		if err != nil {
			return nil, err
		}
		var tags []string
		if ref := ociRefName(desc); ref != "" {
			n, err := NormalizeRef(ref)
			if err != nil {
				return nil, err
			}
			tags = append(tags, n)
		}
		stored, err := s.add(ctx, img, tags, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, stored)
	}
	return out, nil
}

// ociImage returns the image desc names, choosing the host platform from a nested index.
func ociImage(idx v1.ImageIndex, desc v1.Descriptor) (v1.Image, error) {
	if !desc.MediaType.IsIndex() {
		return idx.Image(desc.Digest)
	}
	child, err := idx.ImageIndex(desc.Digest)
	if err != nil {
		return nil, err
	}
	cm, err := child.IndexManifest()
	if err != nil {
		return nil, err
	}
	host := HostPlatform()
	for _, d := range cm.Manifests {
		if d.Platform != nil && d.Platform.Satisfies(host) {
			return child.Image(d.Digest)
		}
	}
	return nil, fmt.Errorf("index %s has no image for %s: %w", desc.Digest, host.String(), ErrNotFound)
}

func ociRefName(desc v1.Descriptor) string {
	if n := desc.Annotations["io.containerd.image.name"]; n != "" {
		return n
	}
	n := desc.Annotations["org.opencontainers.image.ref.name"]
	if n == "" {
		return ""
	}
	if _, err := NormalizeRef(n); err != nil || !containsRepo(n) {
		return ""
	}
	return n
}

// containsRepo reports whether an OCI ref.name is a full reference, not a bare tag
// such as "latest".
func containsRepo(n string) bool {
	for _, c := range n {
		if c == '/' {
			return true
		}
	}
	return false
}
