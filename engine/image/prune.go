package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// PruneOptions says which images Prune removes.
type PruneOptions struct {
	// All removes every image InUse does not report; otherwise only dangling
	// (untagged) images go, as `docker image prune [-a]`.
	All bool
	// InUse reports whether a container (of any project, running or not) uses the
	// image; such an image is kept. nil: none is in use.
	InUse func(*Image) bool
	// Match, when set, narrows the images removed to those it accepts (prune's
	// --filter until=, label=).
	Match func(*Image) bool
	// KeepLayers are diffIDs ("sha256:...") never removed even when no remaining image
	// uses them: the layers of containers and of the build cache.
	KeepLayers map[string]bool
}

// PruneReport is what Prune removed.
type PruneReport struct {
	// Untagged are the tags of the removed images (full form, see NormalizeRef).
	Untagged []string
	// Deleted are the IDs of the removed images, then the diffIDs of removed layers.
	Deleted []string
	// Reclaimed is the size of the removed layers and blobs, in bytes.
	Reclaimed int64
}

// journal lists the layers and blobs a removal is about to delete. It is written
// before the index drops the images, so a removal interrupted between the index and
// the files is finished by the next Prune or Remove: a listed item is deleted then
// only if no image of the index (and nothing in KeepLayers) uses it. The store is
// consistent at every step: the index never names a missing layer.
type journal struct {
	Layers []string `json:"layers"` // diffIDs
	Blobs  []string `json:"blobs"`  // config and manifest digests
}

func (s *Store) journalPath() string { return filepath.Join(s.root, "removing.json") }

// Prune removes the images opts selects, then every layer and blob no remaining image
// uses, and returns what went. It first finishes a removal an earlier process left
// half done. Safe for concurrent use; an interrupted Prune leaves a consistent store.
func (s *Store) Prune(opts PruneOptions) (PruneReport, error) {
	var rep PruneReport
	unlock, err := s.lock()
	if err != nil {
		return rep, err
	}
	defer unlock()
	if rep.Reclaimed, err = s.recoverJournal(opts.KeepLayers); err != nil {
		return rep, err
	}
	idx, err := s.readIndex()
	if err != nil {
		return rep, err
	}
	var victims []*Image
	for _, img := range sortedImages(idx) {
		if (opts.All || len(img.RepoTags) == 0) && (opts.Match == nil || opts.Match(img)) && (opts.InUse == nil || !opts.InUse(img)) {
			victims = append(victims, img)
		}
	}
	if len(victims) == 0 {
		return rep, nil
	}
	deleted, n, err := s.removeImages(idx, victims, opts.KeepLayers)
	for _, img := range victims {
		rep.Untagged = append(rep.Untagged, img.RepoTags...)
	}
	rep.Deleted, rep.Reclaimed = deleted, rep.Reclaimed+n
	return rep, err
}

func sortedImages(idx *indexFile) []*Image {
	out := make([]*Image, 0, len(idx.Images))
	for _, img := range idx.Images {
		out = append(out, img)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// removeImages drops victims from idx and deletes their layers and blobs that no
// remaining image and nothing in keep uses: journal, index, files, in that order. It
// returns the victims' IDs followed by the removed layers' diffIDs, and the bytes freed.
// The caller holds the lock.
func (s *Store) removeImages(idx *indexFile, victims []*Image, keep map[string]bool) ([]string, int64, error) {
	for _, img := range victims {
		delete(idx.Images, img.ID)
	}
	used := usedDigests(idx, keep)
	var j journal
	seen := map[string]bool{}
	for _, img := range victims {
		for _, l := range img.Layers {
			if d := l.String(); !used[d] && !seen[d] {
				seen[d] = true
				j.Layers = append(j.Layers, d)
			}
		}
		for _, d := range []string{img.ID, img.Digest} {
			if !used[d] && !seen[d] && d != "" {
				seen[d] = true
				j.Blobs = append(j.Blobs, d)
			}
		}
	}
	if err := s.writeJournal(&j); err != nil {
		return nil, 0, err
	}
	if err := s.writeIndex(idx); err != nil {
		return nil, 0, err
	}
	var deleted []string
	for _, img := range victims {
		deleted = append(deleted, img.ID)
	}
	n, err := s.sweep(&j, used)
	return append(deleted, j.Layers...), n, err
}

// usedDigests are the layers, configs and manifests of idx's images, and keep.
func usedDigests(idx *indexFile, keep map[string]bool) map[string]bool {
	used := map[string]bool{}
	for d := range keep {
		used[d] = true
	}
	for _, img := range idx.Images {
		used[img.ID], used[img.Digest] = true, true
		for _, l := range img.Layers {
			used[l.String()] = true
		}
	}
	return used
}

func (s *Store) writeJournal(j *journal) error {
	b, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("write removal journal: %w", err)
	}
	return s.writeAtomic(s.journalPath(), b)
}

// recoverJournal finishes the removal a journal left by an interrupted process
// describes, keeping what the index or keep still uses, and returns the bytes freed.
// The caller holds the lock.
func (s *Store) recoverJournal(keep map[string]bool) (int64, error) {
	b, err := os.ReadFile(s.journalPath())
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read removal journal: %w", err)
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil { // a torn journal was never acted on
		return 0, os.Remove(s.journalPath())
	}
	idx, err := s.readIndex()
	if err != nil {
		return 0, err
	}
	return s.sweep(&j, usedDigests(idx, keep))
}

// sweep deletes j's layers (with their kept blobs) and blobs that used does not hold,
// then the journal, and returns the bytes freed. A layer dir is renamed into tmp first so it vanishes at once.
func (s *Store) sweep(j *journal, used map[string]bool) (int64, error) {
	var freed int64
	for _, d := range j.Layers {
		if used[d] {
			continue
		}
		h, err := v1.NewHash(d) // a damaged journal must not name a path outside layers/
		if err != nil {
			return freed, fmt.Errorf("remove layer %s: %w: %w", d, ErrInvalid, err)
		}
		n, err := s.removeBlobRecord(h) // first: a record may outlive its blob, not its layer
		freed += n
		if err != nil {
			return freed, err
		}
		if n, err = s.removeLayerDir(h); err != nil {
			return freed, err
		}
		freed += n
	}
	for _, d := range j.Blobs {
		if used[d] {
			continue
		}
		h, err := v1.NewHash(d)
		if err != nil {
			return freed, fmt.Errorf("remove blob %s: %w: %w", d, ErrInvalid, err)
		}
		if fi, err := os.Stat(s.blobPath(h)); err == nil {
			freed += fi.Size()
		}
		if err := os.Remove(s.blobPath(h)); err != nil && !os.IsNotExist(err) {
			return freed, fmt.Errorf("remove blob %s: %w", d, err)
		}
	}
	if err := os.Remove(s.journalPath()); err != nil && !os.IsNotExist(err) {
		return freed, fmt.Errorf("remove removal journal: %w", err)
	}
	return freed, nil
}

// removeLayerDir deletes layers/<diffID> (absent: nothing to do) and returns its size.
func (s *Store) removeLayerDir(diffID v1.Hash) (int64, error) {
	p := s.layerPath(diffID)
	if _, err := os.Lstat(p); os.IsNotExist(err) {
		return 0, nil
	}
	n := dirSize(p)
	trash, err := os.MkdirTemp(filepath.Join(s.root, "tmp"), "rm-")
	if err != nil {
		return 0, fmt.Errorf("remove layer %s: %w", diffID, err)
	}
	defer os.RemoveAll(trash)
	if err := os.Rename(p, filepath.Join(trash, "l")); err != nil && !os.IsNotExist(err) {
		return 0, fmt.Errorf("remove layer %s: %w", diffID, err)
	}
	if err := os.RemoveAll(trash); err != nil {
		return 0, fmt.Errorf("remove layer %s: %w", diffID, err)
	}
	return n, nil
}

// LayerSize is the unpacked size of the layer diffID in bytes (0 when not stored).
func (s *Store) LayerSize(diffID v1.Hash) int64 { return dirSize(s.layerPath(diffID)) }

// RemoveLayers deletes the stored layers among diffIDs that no image and nothing in
// keep uses (such as the build cache's own layers once its entries are gone), through
// the same journal as Prune, and returns the removed diffIDs and the bytes freed.
func (s *Store) RemoveLayers(diffIDs []string, keep map[string]bool) ([]string, int64, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, 0, err
	}
	defer unlock()
	freed, err := s.recoverJournal(keep)
	if err != nil {
		return nil, freed, err
	}
	idx, err := s.readIndex()
	if err != nil {
		return nil, freed, err
	}
	used := usedDigests(idx, keep)
	j := journal{}
	for _, d := range diffIDs {
		if h, err := v1.NewHash(d); err == nil && !used[d] && s.HasLayer(h) {
			j.Layers = append(j.Layers, d)
		}
	}
	if err := s.writeJournal(&j); err != nil {
		return nil, freed, err
	}
	n, err := s.sweep(&j, used)
	return j.Layers, freed + n, err
}
