package housekeep

import (
	"github.com/berth-dev/berth/builder"
	"github.com/berth-dev/berth/engine"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// UsageLine is one line of `system df`: how many objects of a kind, how many are
// active, their size in bytes and how much of it a prune could free.
type UsageLine struct {
	Type        string // "Images", "Containers", "Local Volumes", "Build Cache"
	Total       int
	Active      int
	Size        int64
	Reclaimable int64
}

// DiskUsage is `docker system df`: images (a layer shared by several images, or by an
// image and the build cache, counted once), containers (their writable layers),
// volumes and the build cache (the layers only it holds).
func (s *Store) DiskUsage() ([]UsageLine, error) {
	u, err := s.scan()
	if err != nil {
		return nil, err
	}
	img, cache, err := s.imageUsage(u)
	if err != nil {
		return nil, err
	}
	vols, err := s.volumes(u)
	if err != nil {
		return nil, err
	}
	vl := UsageLine{Type: "Local Volumes", Total: len(vols)}
	for _, v := range vols {
		n := dirSize(v.Mountpoint)
		vl.Size += n
		if len(v.UsedBy) > 0 {
			vl.Active++
		} else {
			vl.Reclaimable += n
		}
	}
	return []UsageLine{img, s.containerUsage(u), vl, cache}, nil
}

func (s *Store) containerUsage(u *usage) UsageLine {
	l := UsageLine{Type: "Containers", Total: len(u.containers)}
	e := s.engine()
	for _, c := range u.containers {
		var n int64
		if dir, err := e.UpperDir(c.ID); err == nil {
			n = dirSize(dir)
		}
		l.Size += n
		if c.Status == engine.StatusRunning || c.Status == engine.StatusPaused {
			l.Active++
		} else {
			l.Reclaimable += n
		}
	}
	return l
}

// imageUsage sizes every layer once: an image's size counts toward Images; the
// layers only the build cache holds toward Build Cache. Reclaimable images space is
// what the layers of no active image take.
func (s *Store) imageUsage(u *usage) (UsageLine, UsageLine, error) {
	il, cl := UsageLine{Type: "Images"}, UsageLine{Type: "Build Cache"}
	store, err := s.images()
	if err != nil {
		return il, cl, err
	}
	imgs, err := store.List()
	if err != nil {
		return il, cl, err
	}
	size := map[string]int64{}
	sizeOf := func(d v1.Hash) int64 {
		n, ok := size[d.String()]
		if !ok {
			n = store.LayerSize(d)
			size[d.String()] = n
		}
		return n
	}
	active := map[string]bool{}
	il.Total = len(imgs)
	for _, img := range imgs {
		inUse := u.imageInUse(img)
		if inUse {
			il.Active++
		}
		for _, l := range img.Layers {
			active[l.String()] = active[l.String()] || inUse
		}
	}
	for d, used := range active {
		h, _ := v1.NewHash(d)
		il.Size += sizeOf(h)
		if !used {
			il.Reclaimable += sizeOf(h)
		}
	}
	entries, err := builder.CacheEntries(store)
	if err != nil {
		return il, cl, err
	}
	cl.Total = len(entries)
	counted := map[string]bool{}
	for _, e := range entries {
		d := e.Layer
		if _, isImage := active[d]; d != "" && !isImage && !counted[d] {
			counted[d] = true
			h, err := v1.NewHash(d)
			if err == nil && store.HasLayer(h) {
				cl.Size += sizeOf(h)
			}
		}
	}
	cl.Reclaimable = cl.Size
	return il, cl, nil
}
