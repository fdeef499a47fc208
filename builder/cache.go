package builder

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/berth-dev/berth/builder/dockerfile"
	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/internal/atomicfile"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// cacheVersion changes whenever the meaning of a cache entry changes.
const cacheVersion = "berth-build-cache-v1"

// cacheKey returns the layer-cache key of an instruction: the parent's key (which
// chains the base image and every earlier filesystem change), the expanded
// instruction (its line and original text excluded, so moving or re-spelling it
// does not matter), the execution context that can change its result (for RUN the
// environment, user and working directory) and a digest of its inputs (the content
// of COPY/ADD sources).
func cacheKey(parent string, in *dockerfile.Instruction, execCtx []string, inputs string) (string, error) {
	c := *in
	c.Line, c.Original = 0, ""
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("cache key: %w", err)
	}
	h := sha256.New()
	for _, f := range append([]string{cacheVersion, parent, string(b), inputs}, execCtx...) {
		fmt.Fprintf(h, "%d:%s\n", len(f), f)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// cacheEntry is one cached instruction result, stored as buildcache/<hex>.json in
// the image store.
type cacheEntry struct {
	// Layer is the layer the instruction added; nil when it changed nothing.
	Layer   *v1.Descriptor `json:"layer,omitempty"`
	Created time.Time      `json:"created"`
}

// cache is the layer cache in the image store's buildcache directory.
type cache struct {
	store *image.Store
	dir   string
}

func openCache(store *image.Store) (*cache, error) {
	dir, err := store.SubDir("buildcache")
	if err != nil {
		return nil, fmt.Errorf("open build cache: %w", err)
	}
	return &cache{store: store, dir: dir}, nil
}

func (c *cache) path(key string) string {
	return filepath.Join(c.dir, key[len("sha256:"):]+".json")
}

// get returns the entry for key. An entry whose layer is no longer stored (an image
// removal deleted it) is a miss.
func (c *cache) get(key string) (*cacheEntry, bool) {
	b, err := os.ReadFile(c.path(key))
	if err != nil {
		return nil, false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil {
		return nil, false
	}
	if e.Layer != nil && !c.store.HasLayer(e.Layer.Digest) {
		return nil, false
	}
	return &e, true
}

// put records e under key, atomically.
func (c *cache) put(key string, e *cacheEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("build cache: %w", err)
	}
	if err := atomicfile.WriteFile(c.path(key), b, 0o600); err != nil {
		return fmt.Errorf("build cache: %w", err)
	}
	return nil
}
