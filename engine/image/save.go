package image

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
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
	return writeOCIArchive(named, w)
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

// writeOCIArchive streams the images as a tar of an OCI image layout (oci-layout,
// index.json, blobs/sha256/...), each named by the annotations containerd and Docker
// read; a blob shared by several images is written once. Layers are copied from their
// spooled files straight into w.
func writeOCIArchive(named map[name.Reference]v1.Image, w io.Writer) error {
	tw := tar.NewWriter(w)
	index := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}
	written := map[v1.Hash]bool{}
	for _, r := range sortedRefs(named) {
		img := named[r]
		desc, err := writeOCIImage(tw, img, written)
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		if t, ok := r.(name.Tag); ok {
			desc.Annotations = map[string]string{"io.containerd.image.name": dockerName(t), "org.opencontainers.image.ref.name": t.TagStr()}
		}
		index.Manifests = append(index.Manifests, desc)
	}
	idx, err := json.Marshal(index)
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	for _, f := range []struct {
		name string
		b    []byte
	}{{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)}, {"index.json", idx}} {
		if err := writeTarFile(tw, f.name, bytes.NewReader(f.b), int64(len(f.b))); err != nil {
			return fmt.Errorf("save: %w", err)
		}
	}
	return tw.Close()
}

// writeOCIImage writes img's layers, config and manifest as blobs (those not in
// written yet) and returns the manifest's descriptor.
func writeOCIImage(tw *tar.Writer, img v1.Image, written map[v1.Hash]bool) (v1.Descriptor, error) {
	layers, err := img.Layers()
	if err != nil {
		return v1.Descriptor{}, err
	}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil || written[d] {
			continue
		}
		n, _ := l.Size()
		rc, err := l.Compressed()
		if err != nil {
			return v1.Descriptor{}, err
		}
		err = writeTarFile(tw, "blobs/sha256/"+d.Hex, rc, n)
		rc.Close()
		if err != nil {
			return v1.Descriptor{}, err
		}
		written[d] = true
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return v1.Descriptor{}, err
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return v1.Descriptor{}, err
	}
	man, err := img.RawManifest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	digest, err := img.Digest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	for _, b := range []struct {
		h v1.Hash
		b []byte
	}{{cfgName, cfg}, {digest, man}} {
		if !written[b.h] {
			if err := writeTarFile(tw, "blobs/sha256/"+b.h.Hex, bytes.NewReader(b.b), int64(len(b.b))); err != nil {
				return v1.Descriptor{}, err
			}
			written[b.h] = true
		}
	}
	return v1.Descriptor{MediaType: types.OCIManifestSchema1, Digest: digest, Size: int64(len(man))}, nil
}

// writeTarFile writes one regular file of n bytes read from r (parent directories
// are implied, as in Docker's archives).
func writeTarFile(tw *tar.Writer, name string, r io.Reader, n int64) error {
	hdr := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: n, ModTime: epochTime, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err := io.Copy(tw, r)
	return err
}

// sortedRefs orders the archive's names, so the same images give the same archive.
func sortedRefs(named map[name.Reference]v1.Image) []name.Reference {
	refs := make([]name.Reference, 0, len(named))
	for r := range named {
		refs = append(refs, r)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].Name() < refs[j].Name() })
	return refs
}
