package image

import (
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Remove removes ref. A tag ref of an image with several tags only removes that tag.
// Otherwise the image is deleted, and then every layer no remaining image uses. An
// image for which inUse(imageID) reports true is refused with ErrInUse unless force.
// An unknown ref yields ErrNotFound. Safe for concurrent use.
func (s *Store) Remove(ref string, force bool, inUse func(imageID string) bool) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	idx, err := s.readIndex()
	if err != nil {
		return err
	}
	img, tag, err := find(idx, ref)
	if err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	if tag != "" && len(img.RepoTags) > 1 {
		img.RepoTags = without(img.RepoTags, tag)
		return s.writeIndex(idx)
	}
	if !force && inUse != nil && inUse(img.ID) {
		return fmt.Errorf("remove %q: image %s: %w", ref, img.ID, ErrInUse)
	}
	delete(idx.Images, img.ID)
	if err := s.writeIndex(idx); err != nil {
		return err
	}
	return s.removeUnused(idx, img)
}

// removeUnused deletes the blobs and layers of img that no image in idx uses. A layer
// dir is renamed into tmp first so it vanishes atomically.
func (s *Store) removeUnused(idx *indexFile, img *Image) error {
	used := map[string]bool{}
	for _, other := range idx.Images {
		used[other.ID] = true
		used[other.Digest] = true
		for _, l := range other.Layers {
			used[l.String()] = true
		}
	}
	for _, l := range img.Layers {
		if used[l.String()] {
			continue
		}
		trash, err := os.MkdirTemp(filepath.Join(s.root, "tmp"), "rm-")
		if err != nil {
			return fmt.Errorf("remove layer %s: %w", l, err)
		}
		err = os.Rename(s.layerPath(l), filepath.Join(trash, "l"))
		if err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("remove layer %s: %w", l, err)
		}
		if err := os.RemoveAll(trash); err != nil {
			return fmt.Errorf("remove layer %s: %w", l, err)
		}
	}
	for _, d := range []string{img.ID, img.Digest} {
		if used[d] {
			continue
		}
		h, err := v1.NewHash(d) // a damaged index must not name a path outside blobs/
		if err != nil {
			return fmt.Errorf("remove blob %s: %w: %w", d, ErrInvalid, err)
		}
		if err := os.Remove(s.blobPath(h)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("remove blob %s: %w", d, err)
		}
	}
	return nil
}
