package housekeep

import (
	"errors"
	"fmt"

	"github.com/berth-dev/berth/builder"
	"github.com/berth-dev/berth/engine/image"
)

// PruneImages removes the dangling images (with all, every image) that no container
// of any project uses, running or stopped, as `docker image prune [-a]`. Layers that
// a container or the build cache still uses stay.
// Only images f accepts go (until=, label=).
func (s *Store) PruneImages(all bool, f Filter) (image.PruneReport, error) {
	u, store, keep, err := s.removalUsage()
	if err != nil {
		return image.PruneReport{}, err
	}
	return store.Prune(image.PruneOptions{All: all, InUse: u.imageInUse, KeepLayers: keep, Match: f.Image})
}

// removalUsage is what an image removal needs: the containers' usage, the image store,
// and the layers that must stay (those containers or the build cache use).
func (s *Store) removalUsage() (*usage, *image.Store, map[string]bool, error) {
	u, err := s.scan()
	if err != nil {
		return nil, nil, nil, err
	}
	store, err := s.images()
	if err != nil {
		return nil, nil, nil, err
	}
	keep, err := cacheLayers(store)
	if err != nil {
		return nil, nil, nil, err
	}
	for d := range u.layers {
		keep[d] = true
	}
	return u, store, keep, nil
}

// cacheLayers is the set of layers the build cache names.
func cacheLayers(store *image.Store) (map[string]bool, error) {
	entries, err := builder.CacheEntries(store)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, e := range entries {
		if e.Layer != "" {
			set[e.Layer] = true
		}
	}
	return set, nil
}

// PruneBuildCache removes the dangling build cache (with all, all of it), keeping the
// layers containers use (such as a build's RUN step running now).
func (s *Store) PruneBuildCache(all bool) (builder.CachePruneReport, error) {
	u, err := s.scan()
	if err != nil {
		return builder.CachePruneReport{}, err
	}
	return s.pruneBuildCache(u, all)
}

func (s *Store) pruneBuildCache(u *usage, all bool) (builder.CachePruneReport, error) {
	store, err := s.images()
	if err != nil {
		return builder.CachePruneReport{}, err
	}
	return builder.PruneCache(store, all, u.layers)
}

// RemoveImage removes ref as `docker image rm`: a tag of an image with several tags is
// only untagged; an image a container uses (running or stopped) is refused unless
// force, and even with force when a running container uses it. Layers containers or
// the build cache use stay, so a stopped container still starts after a forced
// removal of its image.
func (s *Store) RemoveImage(ref string, force bool) (image.PruneReport, error) {
	u, store, keep, err := s.removalUsage()
	if err != nil {
		return image.PruneReport{}, err
	}
	var user, running string
	inUse := func(id string) bool {
		img, err := store.Get(id)
		if err != nil {
			return false
		}
		for _, c := range u.containers {
			if u.runs(c, img) {
				user = c.Name
				if live(c.Status) {
					running = c.Name
				}
			}
		}
		return user != ""
	}
	rep, err := store.RemoveWith(ref, image.RemoveOptions{KeepLayers: keep, InUse: func(id string) bool {
		return inUse(id) && (!force || running != "")
	}})
	if errors.Is(err, image.ErrInUse) {
		if running != "" && force {
			return rep, fmt.Errorf("unable to delete %s (cannot be forced) - image is being used by running container %s: %w", ref, running, ErrInUse)
		}
		return rep, fmt.Errorf("unable to remove repository reference %q (must force) - container %s is using its referenced image: %w", ref, user, ErrInUse)
	}
	return rep, err
}
