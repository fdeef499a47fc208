package image

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
)

// A stored layer is kept unpacked; Push needs it as a blob. compressed/<diffID hex>
// records the blob that stands for the layer, kept in blobs/sha256/ beside configs and
// manifests:
//
//   - a pulled (or loaded, or imported) gzip layer keeps the blob it came as (add tees
//     it to disk while it unpacks), so pushing a pulled image sends the very bytes,
//     digests and manifest it came with;
//   - any other layer (built, committed, or that came uncompressed) gets a gzip blob
//     (klauspost/compress, several times faster than compress/gzip) made once, on its
//     first push, from WriteLayerTar: the same directory always gives the same tar and
//     the same gzip stream (no name, no time in the header), and the record keeps it,
//     so later pushes send the same digests and find them present.
//
// A rebuilt tar is not byte for byte the tar the layer was unpacked from, so its
// diffID (blobRecord.DiffID) differs from the layer's: the pushed config lists it.
// Prune and Remove delete a layer's blob and record with the layer, blob first: an
// interruption leaves at worst a record whose blob is gone, which the next push
// rebuilds.
type blobRecord struct {
	Digest v1.Hash `json:"digest"` // of the gzip blob
	Size   int64   `json:"size"`
	// DiffID is the digest of the blob's uncompressed tar.
	DiffID v1.Hash `json:"diffID"`
}

func (s *Store) blobRecordPath(diffID v1.Hash) string {
	return filepath.Join(s.root, "compressed", diffID.Hex)
}

// blobRecord returns the record of layer diffID whose blob is present, or false.
func (s *Store) blobRecord(diffID v1.Hash) (blobRecord, bool) {
	var rec blobRecord
	b, err := os.ReadFile(s.blobRecordPath(diffID))
	if err != nil || json.Unmarshal(b, &rec) != nil || rec.Digest.Hex == "" {
		return blobRecord{}, false
	}
	fi, err := os.Stat(s.blobPath(rec.Digest))
	if err != nil || fi.Size() != rec.Size {
		return blobRecord{}, false
	}
	return rec, true
}

func (s *Store) writeBlobRecord(diffID v1.Hash, rec blobRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode blob record of layer %s: %w", diffID, err)
	}
	return s.writeAtomic(s.blobRecordPath(diffID), b)
}

// removeBlobRecord deletes layer diffID's blob, then its record, and returns the
// bytes freed. Absent ones are no error.
func (s *Store) removeBlobRecord(diffID v1.Hash) (int64, error) {
	var freed int64
	if rec, ok := s.blobRecord(diffID); ok {
		if err := os.Remove(s.blobPath(rec.Digest)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, fmt.Errorf("remove blob of layer %s: %w", diffID, err)
		}
		freed = rec.Size
	}
	if err := os.Remove(s.blobRecordPath(diffID)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return freed, fmt.Errorf("remove blob record of layer %s: %w", diffID, err)
	}
	return freed, nil
}

// layerBlob returns layer diffID's blob record, making the gzip blob from the layer
// directory when none is kept. Concurrent calls for one layer make the same bytes.
func (s *Store) layerBlob(diffID v1.Hash) (blobRecord, error) {
	if rec, ok := s.blobRecord(diffID); ok {
		return rec, nil
	}
	f, err := os.CreateTemp(filepath.Join(s.root, "tmp"), "blob-")
	if err != nil {
		return blobRecord{}, fmt.Errorf("compress layer %s: %w", diffID, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	rec, err := s.gzipLayer(diffID, f)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(f.Name(), s.blobPath(rec.Digest))
	}
	if err == nil {
		err = s.writeBlobRecord(diffID, rec)
	}
	if err != nil {
		return blobRecord{}, fmt.Errorf("compress layer %s: %w", diffID, err)
	}
	return rec, nil
}

// gzipLayer writes layer diffID to w as a gzip'd WriteLayerTar and returns the record
// of what it wrote.
func (s *Store) gzipLayer(diffID v1.Hash, w io.Writer) (blobRecord, error) {
	blobSum, tarSum := sha256.New(), sha256.New()
	cw := &countWriter{w: io.MultiWriter(w, blobSum)}
	zw, err := gzip.NewWriterLevel(cw, gzip.DefaultCompression)
	if err != nil {
		return blobRecord{}, err
	}
	if err := s.WriteLayerTar(diffID, io.MultiWriter(zw, tarSum)); err != nil {
		return blobRecord{}, err
	}
	if err := zw.Close(); err != nil {
		return blobRecord{}, err
	}
	return blobRecord{Digest: sumHash(blobSum), Size: cw.n, DiffID: sumHash(tarSum)}, nil
}

func sumHash(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

// blobKeeper tees a layer blob being downloaded into a temp file, to be kept as the
// layer's blob once the layer is stored (keep) or dropped (discard).
type blobKeeper struct {
	f   *os.File
	sum hash.Hash
	n   int64
	err error
}

func (s *Store) newBlobKeeper() *blobKeeper {
	f, err := os.CreateTemp(filepath.Join(s.root, "tmp"), "pulled-")
	return &blobKeeper{f: f, sum: sha256.New(), err: err}
}

// Write never fails: a blob that cannot be kept only costs a later push a rebuild.
func (k *blobKeeper) Write(p []byte) (int, error) {
	if k.err == nil {
		_, k.err = k.f.Write(p)
		k.sum.Write(p)
		k.n += int64(len(p))
	}
	return len(p), nil
}

// keep stores the blob as layer diffID's when it is a gzip layer (media type mt)
// written whole with digest want; an uncompressed blob is not kept (it would double
// the layer's size on disk). It reports nothing: keeping is best effort.
func (k *blobKeeper) keep(s *Store, diffID, want v1.Hash, mt types.MediaType) {
	defer k.discard()
	if mt != types.DockerLayer && mt != types.OCILayer {
		return
	}
	if k.err != nil || sumHash(k.sum) != want || k.f.Sync() != nil {
		return
	}
	if os.Rename(k.f.Name(), s.blobPath(want)) != nil {
		return
	}
	s.writeBlobRecord(diffID, blobRecord{Digest: want, Size: k.n, DiffID: diffID})
}

func (k *blobKeeper) discard() {
	if k.f != nil {
		k.f.Close()
		os.Remove(k.f.Name())
	}
}
