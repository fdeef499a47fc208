package builder

import (
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestPruneCache: a plain prune removes the cache entry (and layer) of a stage the
// image does not contain and keeps the image's; --all removes every entry but no
// layer an image uses, and the next build runs the step again.
func TestPruneCache(t *testing.T) {
	env := newTestEnv(t)
	files := map[string]string{"a.txt": "stage a\n",
		"Dockerfile": "FROM bt-busybox AS a\nCOPY a.txt /a.txt\nFROM bt-busybox\nCOPY --from=a /a.txt /b.txt\n"}
	ctx := writeContext(t, files)
	if _, out, err := env.build(t, nil, Options{ContextDir: ctx, Tags: []string{"pruned:1"}}); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	before, err := CacheEntries(env.store)
	if err != nil || len(before) != 2 {
		t.Fatalf("CacheEntries() = %v, %v, want 2 entries", before, err)
	}
	img, err := env.store.Get("pruned:1")
	if err != nil {
		t.Fatal(err)
	}
	top := img.Layers[len(img.Layers)-1].String()
	var stageLayer string
	for _, e := range before {
		if e.Layer != top {
			stageLayer = e.Layer
		}
	}
	rep, err := PruneCache(env.store, false, nil)
	if err != nil {
		t.Fatalf("PruneCache(dangling) = %v", err)
	}
	after, _ := CacheEntries(env.store)
	if len(rep.Deleted) != 1 || len(after) != 1 || after[0].Layer != top || rep.Reclaimed <= 0 {
		t.Errorf("PruneCache(dangling) = %+v, left %v; want the stage's entry gone, the image's kept", rep, after)
	}
	if h, _ := v1.NewHash(stageLayer); env.store.HasLayer(h) {
		t.Errorf("the stage's layer %s is still stored", stageLayer)
	}
	if _, err := PruneCache(env.store, true, nil); err != nil {
		t.Fatalf("PruneCache(all) = %v", err)
	}
	if left, _ := CacheEntries(env.store); len(left) != 0 {
		t.Errorf("entries after PruneCache(all) = %v, want none", left)
	}
	if _, err := env.store.LayerDirs(img); err != nil {
		t.Errorf("PruneCache removed a layer of an image: %v", err)
	}
	_, out, err := env.build(t, nil, Options{ContextDir: ctx, Tags: []string{"pruned:1"}})
	if err != nil || strings.Contains(out, "CACHED") {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
}
