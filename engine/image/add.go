package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// add stores img under tags: its layers are unpacked (each only if its diffID is not
// already present), then its config and manifest blobs are written, then the index
// records it. Only the last step makes the image visible, so an interrupted add
// leaves nothing trusted.
func (s *Store) add(ctx context.Context, img v1.Image, tags []string, progress *progress) (*Image, error) {
	cfgName, err := img.ConfigName()
	if err != nil {
		return nil, fmt.Errorf("image config digest: %w", err)
	}
	cfgRaw, err := img.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read image config: %w", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("parse image config: %w", err)
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("image layers: %w", err)
	}
	if len(layers) != len(cfg.RootFS.DiffIDs) {
		return nil, fmt.Errorf("image has %d layers but %d diffIDs: %w", len(layers), len(cfg.RootFS.DiffIDs), ErrInvalid)
	}
	var size int64
	for i, l := range layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := s.ensureLayer(cfg.RootFS.DiffIDs[i], l, progress)
		if err != nil {
			return nil, err
		}
		size += n
	}
	digest, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("manifest digest: %w", err)
	}
	manifest, err := img.RawManifest()
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	if err := s.writeAtomic(s.blobPath(cfgName), cfgRaw); err != nil {
		return nil, err
	}
	if err := s.writeAtomic(s.blobPath(digest), manifest); err != nil {
		return nil, err
	}
	rec := &Image{
		ID:      cfgName.String(),
		Digest:  digest.String(),
		Created: cfg.Created.Time,
		Size:    size,
		Layers:  cfg.RootFS.DiffIDs,
	}
	if err := s.record(rec, tags); err != nil {
		return nil, err
	}
	return s.Get(rec.ID)
}

// record adds rec to the index (or merges its tags into an existing record) and moves
// each tag away from any other image that held it.
func (s *Store) record(rec *Image, tags []string) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	idx, err := s.readIndex()
	if err != nil {
		return err
	}
	if old, ok := idx.Images[rec.ID]; ok {
		rec.RepoTags = old.RepoTags
	}
	for _, t := range tags {
		for _, other := range idx.Images {
			other.RepoTags = without(other.RepoTags, t)
		}
		rec.RepoTags = append(without(rec.RepoTags, t), t)
	}
	idx.Images[rec.ID] = rec
	return s.writeIndex(idx)
}

func without(list []string, s string) []string {
	out := list[:0:0]
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}

// ensureLayer makes sure layers/<diffID> holds the unpacked layer and returns its
// uncompressed size. A present layer is not fetched again. The layer is unpacked into
// a temp dir, its diffID verified, then renamed into place.
func (s *Store) ensureLayer(diffID v1.Hash, l v1.Layer, progress *progress) (int64, error) {
	dst := s.layerPath(diffID)
	if _, err := os.Stat(dst); err == nil {
		progress.done(diffID, "already present")
		return dirSize(dst), nil
	}
	rc, err := l.Compressed()
	if err != nil {
		return 0, fmt.Errorf("fetch layer %s: %w", diffID, err)
	}
	defer rc.Close()
	total, _ := l.Size()
	keeper := s.newBlobKeeper()
	defer keeper.discard()
	counted := progress.reader(diffID, io.TeeReader(rc, keeper), total)
	ur, err := decompress(counted)
	if err != nil {
		return 0, fmt.Errorf("layer %s: %w", diffID, err)
	}
	defer ur.Close()
	tmp, got, n, err := s.unpackTemp(ur)
	if err != nil {
		return 0, fmt.Errorf("layer %s: %w", diffID, err)
	}
	defer os.RemoveAll(tmp)
	if got.String() != diffID.String() {
		return 0, fmt.Errorf("layer %s: content has diffID %s: %w", diffID, got, ErrInvalid)
	}
	if _, err := io.Copy(io.Discard, counted); err != nil { // the blob's tail, for the kept copy
		return 0, fmt.Errorf("layer %s: %w", diffID, err)
	}
	if err := os.Rename(tmp, dst); err != nil && !errors.Is(err, os.ErrExist) && !isNotEmpty(err) {
		return 0, fmt.Errorf("layer %s: %w", diffID, err)
	}
	s.keepBlob(keeper, diffID, l)
	progress.done(diffID, "done")
	return n, nil
}

// keepBlob keeps the downloaded blob of l as layer diffID's (see blobRecord).
func (s *Store) keepBlob(k *blobKeeper, diffID v1.Hash, l v1.Layer) {
	digest, err := l.Digest()
	if err != nil {
		return
	}
	mt, err := l.MediaType()
	if err != nil {
		return
	}
	k.keep(s, diffID, digest, mt)
}

// unpackTemp unpacks the uncompressed layer tar r into a new temp dir (mode 0755) and
// returns the dir, which the caller removes or renames, with the diffID and length of
// the whole stream. On error nothing is left behind.
func (s *Store) unpackTemp(r io.Reader) (dir string, diffID v1.Hash, n int64, err error) {
	tmp, err := os.MkdirTemp(filepath.Join(s.root, "tmp"), "layer-")
	if err != nil {
		return "", v1.Hash{}, 0, err
	}
	h := sha256.New()
	cr := &countReader{r: io.TeeReader(r, h)}
	err = os.Chmod(tmp, 0o755)
	if err == nil {
		err = Unpack(tmp, cr)
	}
	if err == nil {
		// Drain tar padding so the digest covers the whole stream.
		_, err = io.Copy(io.Discard, cr)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return "", v1.Hash{}, 0, err
	}
	return tmp, v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}, cr.n, nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
