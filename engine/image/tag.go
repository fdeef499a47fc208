package image

import (
	"fmt"
	"strings"
)

// Tag names the image src resolves to (any ref Get takes) also target, normalized as
// NormalizeRef does; another image holding target loses it, as `docker image tag`.
// An unknown src yields ErrNotFound, a malformed or digest target ErrInvalid.
func (s *Store) Tag(src, target string) error {
	full, err := NormalizeRef(target)
	if err != nil {
		return fmt.Errorf("tag: %w", err)
	}
	if strings.Contains(full, "@") {
		return fmt.Errorf("tag %q: a digest is no tag: %w", target, ErrInvalid)
	}
	img, err := s.Get(src)
	if err != nil {
		return fmt.Errorf("tag: %w", err)
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	idx, err := s.readIndex()
	if err != nil {
		return err
	}
	rec, ok := idx.Images[img.ID]
	if !ok {
		return fmt.Errorf("tag: image %q: %w", src, ErrNotFound) // removed meanwhile
	}
	for _, other := range idx.Images {
		other.RepoTags = without(other.RepoTags, full)
	}
	rec.RepoTags = append(rec.RepoTags, full)
	return s.writeIndex(idx)
}
