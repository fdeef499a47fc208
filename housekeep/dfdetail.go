package housekeep

import (
	"os"
	"path/filepath"
	"time"

	"github.com/berth-dev/berth/builder"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/image"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// DiskUsageDetail is `docker system df -v`: each image, container, volume and build
// cache entry with its size.
type DiskUsageDetail struct {
	Images     []ImageDetail
	Containers []ContainerDetail
	Volumes    []VolumeDetail
	BuildCache []CacheDetail
}

// ImageDetail is one image: Size is all its layers, Shared the part of it other
// images use too (so Size-Shared is its own), Containers how many use it.
type ImageDetail struct {
	Image      *image.Image
	Size       int64
	Shared     int64
	Containers int
}

// ContainerDetail is one container: its writable layer's size and its volumes.
type ContainerDetail struct {
	ID, Name string
	ImageID  string // from Compose's label; "" when unknown
	Command  []string
	Volumes  int // volumes of berth it mounts
	Size     int64
	Created  time.Time
	Status   engine.Status
}

// VolumeDetail is one volume: how many containers mount it and its size.
type VolumeDetail struct {
	Name  string
	Links int
	Size  int64
}

// CacheDetail is one build cache entry: its layer's size and whether an image uses
// that layer too.
type CacheDetail struct {
	builder.CacheEntry
	Size   int64
	Shared bool
}

// DiskUsageDetail lists what DiskUsage sums.
func (s *Store) DiskUsageDetail() (*DiskUsageDetail, error) {
	u, err := s.scan()
	if err != nil {
		return nil, err
	}
	store, err := s.images()
	if err != nil {
		return nil, err
	}
	d := &DiskUsageDetail{Containers: s.containerDetails(u)}
	if d.Images, err = imageDetails(store, u); err != nil {
		return nil, err
	}
	if d.BuildCache, err = cacheDetails(store); err != nil {
		return nil, err
	}
	vols, err := s.volumes(u)
	if err != nil {
		return nil, err
	}
	for _, v := range vols {
		d.Volumes = append(d.Volumes, VolumeDetail{Name: v.Name, Links: len(v.UsedBy), Size: dirSize(v.Mountpoint)})
	}
	return d, nil
}

func imageDetails(store *image.Store, u *usage) ([]ImageDetail, error) {
	imgs, err := store.List()
	if err != nil {
		return nil, err
	}
	users := map[string]int{} // layer -> images using it
	for _, img := range imgs {
		for _, l := range img.Layers {
			users[l.String()]++
		}
	}
	sizes := map[v1.Hash]int64{}
	out := make([]ImageDetail, 0, len(imgs))
	for _, img := range imgs {
		d := ImageDetail{Image: img}
		for _, l := range img.Layers {
			n, ok := sizes[l]
			if !ok {
				n = store.LayerSize(l)
				sizes[l] = n
			}
			d.Size += n
			if users[l.String()] > 1 {
				d.Shared += n
			}
		}
		for _, c := range u.containers {
			if u.runs(c, img) {
				d.Containers++
			}
		}
		out = append(out, d)
	}
	return out, nil
}

func (s *Store) containerDetails(u *usage) []ContainerDetail {
	e := s.engine()
	volumes := filepath.Join(s.cfg.Root, "volumes") + "/"
	out := make([]ContainerDetail, 0, len(u.containers))
	for _, c := range u.containers {
		d := ContainerDetail{ID: c.ID, Name: c.Name, ImageID: c.Spec.Labels["com.docker.compose.image"], Status: c.Status,
			Command: append(append([]string{}, c.Spec.Entrypoint...), c.Spec.Cmd...)}
		if dir, err := e.UpperDir(c.ID); err == nil {
			d.Size = dirSize(dir)
			if fi, err := os.Stat(filepath.Join(filepath.Dir(dir), "config.json")); err == nil {
				d.Created = fi.ModTime()
			}
		}
		for _, m := range c.Spec.Mounts {
			if m.Type == "bind" && len(m.Source) > len(volumes) && m.Source[:len(volumes)] == volumes {
				d.Volumes++
			}
		}
		out = append(out, d)
	}
	return out
}

func cacheDetails(store *image.Store) ([]CacheDetail, error) {
	entries, err := builder.CacheEntries(store)
	if err != nil {
		return nil, err
	}
	imgs, err := store.List()
	if err != nil {
		return nil, err
	}
	inImage := map[string]bool{}
	for _, img := range imgs {
		for _, l := range img.Layers {
			inImage[l.String()] = true
		}
	}
	out := make([]CacheDetail, 0, len(entries))
	for _, e := range entries {
		d := CacheDetail{CacheEntry: e, Shared: inImage[e.Layer]}
		if h, err := v1.NewHash(e.Layer); err == nil {
			d.Size = store.LayerSize(h)
		}
		out = append(out, d)
	}
	return out, nil
}
