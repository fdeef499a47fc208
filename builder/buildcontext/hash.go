package buildcontext

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"strconv"
)

// Hash returns a digest ("sha256:<hex>") of sources for the layer-cache
// key. It covers, in the given source order, each source's path and, for
// every entry it copies, the relative path, file mode, uid/gid, and the
// content of regular files or the target of symlinks. Modification times
// are not covered, so the digest is stable across runs and checkouts.
func (c *Context) Hash(sources []Source) (string, error) {
	h := sha256.New()
	for _, s := range sources {
		record(h, "source", s.Rel, strconv.FormatBool(s.IsDir))
		entries, err := c.Entries(s)
		if err != nil {
			return "", err
		}
		for _, e := range entries {
			if err := hashEntry(h, e); err != nil {
				return "", err
			}
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// record writes length-prefixed fields so that no two field lists collide.
func record(h hash.Hash, fields ...string) {
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s", len(f), f)
	}
	h.Write([]byte{'\n'})
}

func hashEntry(h hash.Hash, e Entry) error {
	uid, gid := owner(e.Info)
	mode := e.Info.Mode()
	record(h, "entry", e.Rel, strconv.FormatUint(uint64(mode), 8), strconv.Itoa(uid), strconv.Itoa(gid))
	switch {
	case mode&fs.ModeSymlink != 0:
		target, err := os.Readlink(e.Path)
		if err != nil {
			return fmt.Errorf("hash %s: %w", e.Rel, err)
		}
		record(h, "link", target)
	case mode.IsRegular():
		f, err := os.Open(e.Path)
		if err != nil {
			return fmt.Errorf("hash %s: %w", e.Rel, err)
		}
		defer f.Close()
		fh := sha256.New()
		if _, err := io.Copy(fh, f); err != nil {
			return fmt.Errorf("hash %s: %w", e.Rel, err)
		}
		record(h, "content", hex.EncodeToString(fh.Sum(nil)))
	}
	return nil
}
