package builder

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// workdir creates the stage's working directory (after WORKDIR changed it in the
// config) when it does not exist yet, as a layer holding the missing directories.
// It reports whether it added a layer. The layer is the same every time, so it needs
// no cache entry.
func (b *builder) workdir(st *state) (bool, error) {
	dir := st.cfg.Config.WorkingDir
	lower := st.fs()
	resolved, err := lower.resolve(dir, true)
	if err != nil {
		return false, fmt.Errorf("WORKDIR %s: %w", dir, err)
	}
	if n, err := lower.lstat(resolved); err == nil {
		if !n.info.IsDir() {
			return false, fmt.Errorf("WORKDIR %s: exists and is not a directory", dir)
		}
		return false, nil
	}
	desc, err := b.writeLayer(lower, func(t *layerTar) error { return t.dirs(resolved) })
	if err != nil {
		return false, fmt.Errorf("WORKDIR %s: %w", dir, err)
	}
	st.addLayer(desc, b.opts.Store.LayerDir(desc.Digest))
	sum := sha256.Sum256([]byte(strings.Join([]string{cacheVersion, st.key, "workdir", desc.Digest.String()}, "\n")))
	st.key = "sha256:" + hex.EncodeToString(sum[:])
	return true, nil
}
