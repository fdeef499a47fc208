package image

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Archive formats Save writes.
const (
	// FormatDocker is `docker save`'s archive (manifest.json, one dir per layer).
	FormatDocker = "docker-archive"
	// FormatOCI is an OCI image layout (oci-layout, index.json, blobs/) in a tar.
	FormatOCI = "oci"
)

// Save writes the images refs name to w as one archive in format (FormatDocker or
// FormatOCI), each named by the tag it was asked by (an image asked by ID has no
// name), as `docker save`. Load reads either back.
//
// The store keeps layers unpacked, so each layer is written again from its directory
// (WriteLayerTar): the content is the same, but the tar's bytes, hence the layer's
// digest, usually differ from the ones it was pulled as. The saved config lists those
// new diffIDs, so an image loaded from the archive has the same files, config and
// history under another image ID. An unknown ref yields ErrNotFound, an unknown
// format ErrInvalid.
func (s *Store) Save(refs []string, format string, w io.Writer) error {
	if format != FormatDocker && format != FormatOCI {
		return fmt.Errorf("save: format %q: want %s or %s: %w", format, FormatDocker, FormatOCI, ErrInvalid)
	}
	work, err := os.MkdirTemp(filepath.Join(s.root, "tmp"), "save-")
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	defer os.RemoveAll(work)
	named := map[name.Reference]v1.Image{}
	built := map[string]v1.Image{} // by stored image ID: an image asked twice is written once
	for _, ref := range refs {
		stored, tag, err := s.resolve(ref)
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		img, ok := built[stored.ID]
		if !ok {
			if img, err = s.exportImage(stored, work); err != nil {
				return fmt.Errorf("save %s: %w", ref, err)
			}
			built[stored.ID] = img
		}
		r, err := archiveRef(tag, img)
		if err != nil {
			return fmt.Errorf("save %s: %w", ref, err)
		}
		named[r] = img
	}
	if format == FormatDocker {
		return tarball.MultiRefWrite(named, w)
	}
	return writeOCIArchive(named, filepath.Join(work, "oci"), w)
}

// resolve is Get that also returns the full tag ref matched ("" for an ID or digest).
func (s *Store) resolve(ref string) (*Image, string, error) {
	idx, err := s.readIndex()
	if err != nil {
		return nil, "", err
	}
	img, tag, err := find(idx, ref)
	if err != nil {
		return nil, "", err
	}
	return img, tag, s.loadConfig(img)
}

// archiveRef names img in the archive: its tag, or its digest when it has none.
func archiveRef(tag string, img v1.Image) (name.Reference, error) {
	if tag != "" {
		return name.NewTag(tag)
	}
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	return name.NewDigest("untagged@" + d.String())
}

// exportImage is stored as a go-containerregistry image over layer tars spooled in
// work, with its config's diffIDs those of the tars.
func (s *Store) exportImage(stored *Image, work string) (v1.Image, error) {
	layers := make([]v1.Layer, 0, len(stored.Layers))
	for _, d := range stored.Layers {
		l, err := s.spoolLayer(d, work)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	cfg := stored.Config.DeepCopy()
	cfg.RootFS = v1.RootFS{Type: "layers"}
	for _, l := range layers {
		d, _ := l.DiffID()
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, d)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err := mutate.AppendLayers(img, layers...)
	if err != nil {
		return nil, err
	}
	return mutate.ConfigFile(img, cfg)
}

// spoolLayer writes the layer's tar into work and returns it as an uncompressed layer.
func (s *Store) spoolLayer(diffID v1.Hash, work string) (v1.Layer, error) {
	f, err := os.CreateTemp(work, "layer-*.tar")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	if err := s.WriteLayerTar(diffID, cw); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	sum := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
	return &fileLayer{path: f.Name(), digest: sum, size: cw.n}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// fileLayer is an uncompressed layer tar in a file: its digest is its diffID.
type fileLayer struct {
	path   string
	digest v1.Hash
	size   int64
}

func (l *fileLayer) Digest() (v1.Hash, error)             { return l.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)             { return l.digest, nil }
func (l *fileLayer) Size() (int64, error)                 { return l.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error)  { return types.OCIUncompressedLayer, nil }
func (l *fileLayer) Compressed() (io.ReadCloser, error)   { return os.Open(l.path) }
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) { return os.Open(l.path) }

// writeOCIArchive writes the images as an OCI layout in dir, each named by the
// annotations containerd and Docker read, and then dir as a tar to w.
func writeOCIArchive(named map[name.Reference]v1.Image, dir string, w io.Writer) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	for r, img := range named {
		var opts []layout.Option
		if t, ok := r.(name.Tag); ok {
			opts = append(opts, layout.WithAnnotations(map[string]string{
				"io.containerd.image.name":          dockerName(t),
				"org.opencontainers.image.ref.name": t.TagStr(),
			}))
		}
		if err := p.AppendImage(img, opts...); err != nil {
			return fmt.Errorf("save: %w", err)
		}
	}
	return tarTree(dir, w)
}

// tarTree writes the regular files and directories under dir to w as a tar.
func tarTree(dir string, w io.Writer) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		hdr.Name, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = filepath.ToSlash(rel), 0, 0, "", ""
		if d.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if d.Type().IsRegular() {
			return copyFile(tw, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return tw.Close()
}
