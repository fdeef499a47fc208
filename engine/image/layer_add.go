package image

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// AddLayer reads an uncompressed layer tar (OCI form: whiteouts are ".wh." entries)
// from r and stores it unpacked under layers/<diffID>, unless a layer with that diffID
// is already stored. It returns the layer's manifest descriptor: an uncompressed OCI
// layer whose digest is its diffID. Safe for concurrent use; an interrupted call
// leaves nothing a later call trusts. A tar entry that would write outside the layer
// yields an error wrapping ErrInvalid.
func (s *Store) AddLayer(r io.Reader) (v1.Descriptor, error) {
	tmp, diffID, n, err := s.unpackTemp(r)
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("add layer: %w", err)
	}
	defer os.RemoveAll(tmp)
	dst := s.layerPath(diffID)
	if err := os.Rename(tmp, dst); err != nil && !errors.Is(err, os.ErrExist) && !isNotEmpty(err) {
		return v1.Descriptor{}, fmt.Errorf("add layer %s: %w", diffID, err)
	}
	return v1.Descriptor{MediaType: types.OCIUncompressedLayer, Digest: diffID, Size: n}, nil
}

// HasLayer reports whether the layer diffID is stored unpacked.
func (s *Store) HasLayer(diffID v1.Hash) bool {
	_, err := os.Stat(s.layerPath(diffID))
	return err == nil
}

// LayerDir returns the directory that holds (or would hold) the unpacked layer diffID.
func (s *Store) LayerDir(diffID v1.Hash) string { return s.layerPath(diffID) }

// SubDir returns root/name, created if needed, for data that belongs beside the
// images, such as the builder's layer cache ("buildcache").
func (s *Store) SubDir(name string) (string, error) {
	d := filepath.Join(s.root, name)
	if err := os.MkdirAll(d, 0o700); err != nil {
		return "", fmt.Errorf("image store dir %q: %w", name, err)
	}
	return d, nil
}

// Manifest returns img's stored manifest (OCI or Docker schema 2).
func (s *Store) Manifest(img *Image) (*v1.Manifest, error) {
	h, err := v1.NewHash(img.Digest)
	if err != nil {
		return nil, fmt.Errorf("manifest of image %s: %w: %w", img.ID, ErrInvalid, err)
	}
	b, err := os.ReadFile(s.blobPath(h))
	if err != nil {
		return nil, fmt.Errorf("manifest of image %s: %w", img.ID, err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("manifest of image %s: %w", img.ID, err)
	}
	return m, nil
}

// AddImage stores an image made of cfg and already stored layers, and tags it with
// tags (normalized as NormalizeRef does). layers are the manifest descriptors, one per
// cfg.RootFS.DiffIDs entry, bottom first. Storing the same config again only adds the
// tags. A layer that is not stored yields an error wrapping ErrNotFound; a descriptor
// count that does not match the diffIDs yields ErrInvalid.
func (s *Store) AddImage(cfg *v1.ConfigFile, layers []v1.Descriptor, tags []string) (*Image, error) {
	if len(layers) != len(cfg.RootFS.DiffIDs) {
		return nil, fmt.Errorf("add image: %d layer descriptors for %d diffIDs: %w", len(layers), len(cfg.RootFS.DiffIDs), ErrInvalid)
	}
	full := make([]string, 0, len(tags))
	for _, t := range tags {
		n, err := NormalizeRef(t)
		if err != nil {
			return nil, fmt.Errorf("add image: %w", err)
		}
		full = append(full, n)
	}
	var size int64
	for _, d := range cfg.RootFS.DiffIDs {
		if !s.HasLayer(d) {
			return nil, fmt.Errorf("add image: layer %s: %w", d, ErrNotFound)
		}
		size += dirSize(s.layerPath(d))
	}
	cfgRaw, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("add image: encode config: %w", err)
	}
	cfgDigest := sha256Hash(cfgRaw)
	manifest := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config:        v1.Descriptor{MediaType: types.OCIConfigJSON, Digest: cfgDigest, Size: int64(len(cfgRaw))},
		Layers:        layers,
	}
	manRaw, err := json.Marshal(manifest)
	if err != nil {
		return nil, fmt.Errorf("add image: encode manifest: %w", err)
	}
	manDigest := sha256Hash(manRaw)
	if err := s.writeAtomic(s.blobPath(cfgDigest), cfgRaw); err != nil {
		return nil, fmt.Errorf("add image: %w", err)
	}
	if err := s.writeAtomic(s.blobPath(manDigest), manRaw); err != nil {
		return nil, fmt.Errorf("add image: %w", err)
	}
	rec := &Image{ID: cfgDigest.String(), Digest: manDigest.String(), Created: cfg.Created.Time, Size: size, Layers: cfg.RootFS.DiffIDs}
	if err := s.record(rec, full); err != nil {
		return nil, fmt.Errorf("add image: %w", err)
	}
	return s.Get(rec.ID)
}

func sha256Hash(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}
