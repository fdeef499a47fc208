package image

import "fmt"

// Remove removes ref. A tag ref of an image with several tags only removes that tag.
// Otherwise the image is deleted, and then every layer no remaining image uses,
// through the journal Prune uses (an interrupted Remove is finished by the next one). An
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
	if _, err := s.recoverJournal(nil); err != nil {
		return err
	}
	_, _, err = s.removeImages(idx, []*Image{img}, nil)
	return err
}
