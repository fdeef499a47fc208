package image

import "fmt"

// Remove removes ref. A tag ref of an image with several tags only removes that tag.
// Otherwise the image is deleted, and then every layer no remaining image uses,
// through the journal Prune uses (an interrupted Remove is finished by the next one). An
// image for which inUse(imageID) reports true is refused with ErrInUse unless force.
// An unknown ref yields ErrNotFound. Safe for concurrent use.
func (s *Store) Remove(ref string, force bool, inUse func(imageID string) bool) error {
	_, err := s.RemoveWith(ref, RemoveOptions{Force: force, InUse: inUse})
	return err
}

// RemoveOptions configure RemoveWith.
type RemoveOptions struct {
	// Force removes an image InUse reports (its layers in KeepLayers stay).
	Force bool
	// InUse reports whether a container uses the image with that ID; nil: none.
	InUse func(imageID string) bool
	// KeepLayers are diffIDs never removed, as in PruneOptions.
	KeepLayers map[string]bool
}

// RemoveWith is Remove with layers to keep, reporting what it did as Docker prints
// it: the tag untagged (when ref is one), the image ID and the layers deleted.
func (s *Store) RemoveWith(ref string, opts RemoveOptions) (PruneReport, error) {
	var rep PruneReport
	unlock, err := s.lock()
	if err != nil {
		return rep, err
	}
	defer unlock()
	idx, err := s.readIndex()
	if err != nil {
		return rep, err
	}
	img, tag, err := find(idx, ref)
	if err != nil {
		return rep, fmt.Errorf("remove: %w", err)
	}
	if tag != "" && len(img.RepoTags) > 1 {
		img.RepoTags = without(img.RepoTags, tag)
		rep.Untagged = []string{tag}
		return rep, s.writeIndex(idx)
	}
	if !opts.Force && opts.InUse != nil && opts.InUse(img.ID) {
		return rep, fmt.Errorf("remove %q: image %s: %w", ref, img.ID, ErrInUse)
	}
	if rep.Reclaimed, err = s.recoverJournal(opts.KeepLayers); err != nil {
		return rep, err
	}
	rep.Untagged = img.RepoTags
	deleted, n, err := s.removeImages(idx, []*Image{img}, opts.KeepLayers)
	rep.Deleted, rep.Reclaimed = deleted, rep.Reclaimed+n
	return rep, err
}
