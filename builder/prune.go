package builder

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/image"
)

// CacheEntry is one record of the layer cache, as `builder prune` and `system df`
// count it.
type CacheEntry struct {
	Key     string // "sha256:..." cache key
	Layer   string // diffID of the layer the step added; "" when it added none
	Created time.Time
}

// CacheEntries lists the layer cache of store, sorted by key. Unreadable entries
// (a torn write of an older version) are listed without a layer.
func CacheEntries(store *image.Store) ([]CacheEntry, error) {
	c, err := openCache(store)
	if err != nil {
		return nil, err
	}
	names, err := os.ReadDir(c.dir)
	if err != nil {
		return nil, fmt.Errorf("list build cache: %w", err)
	}
	var out []CacheEntry
	for _, n := range names {
		hex, ok := strings.CutSuffix(n.Name(), ".json")
		if !ok || n.IsDir() {
			continue
		}
		e := CacheEntry{Key: "sha256:" + hex}
		var ce cacheEntry
		if b, err := os.ReadFile(filepath.Join(c.dir, n.Name())); err == nil && json.Unmarshal(b, &ce) == nil {
			e.Created = ce.Created
			if ce.Layer != nil {
				e.Layer = ce.Layer.Digest.String()
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// CachePruneReport is what PruneCache removed.
type CachePruneReport struct {
	Deleted   []string // cache keys
	Reclaimed int64    // bytes of the layers removed with them
}

// PruneCache removes cache entries of store and then their layers that no image, no
// remaining entry and nothing in keep (the layers of containers, such as a running
// build's) uses. Without all only dangling entries go: those whose layer no image
// uses (intermediate steps, stages not exported, images removed since); with all
// every entry, so the next build runs every step again. Layers are removed before the
// entries naming them: an interrupted prune leaves entries whose layer is gone, which
// a build treats as a miss and the next prune removes.
func PruneCache(store *image.Store, all bool, keep map[string]bool) (CachePruneReport, error) {
	var rep CachePruneReport
	entries, err := CacheEntries(store)
	if err != nil {
		return rep, err
	}
	imageLayers, err := imageLayerSet(store)
	if err != nil {
		return rep, err
	}
	c, err := openCache(store)
	if err != nil {
		return rep, err
	}
	protect := map[string]bool{}
	for d := range keep {
		protect[d] = true
	}
	var victims []CacheEntry
	var layers []string
	for _, e := range entries {
		if !all && (e.Layer == "" || imageLayers[e.Layer]) {
			protect[e.Layer] = true
			continue
		}
		victims = append(victims, e)
		if e.Layer != "" {
			layers = append(layers, e.Layer)
		}
	}
	_, rep.Reclaimed, err = store.RemoveLayers(layers, protect)
	if err != nil {
		return rep, fmt.Errorf("build cache: %w", err)
	}
	for _, e := range victims {
		if err := os.Remove(c.path(e.Key)); err != nil && !os.IsNotExist(err) {
			return rep, fmt.Errorf("build cache: remove %s: %w", e.Key, err)
		}
		rep.Deleted = append(rep.Deleted, e.Key)
	}
	return rep, nil
}

// imageLayerSet is the set of diffIDs the stored images use.
func imageLayerSet(store *image.Store) (map[string]bool, error) {
	imgs, err := store.List()
	if err != nil {
		return nil, fmt.Errorf("build cache: %w", err)
	}
	set := map[string]bool{}
	for _, img := range imgs {
		for _, l := range img.Layers {
			set[l.String()] = true
		}
	}
	return set, nil
}
