package engine

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// writeCgroupParent records the container's own parent cgroup (Spec.CgroupParent) in
// its dir, cleaned and relative to the hierarchies' roots, or removes a stale record
// (a recycled dir) when it has none.
func writeCgroupParent(dir, parent string) error {
	p := filepath.Join(dir, cgroupParentFile)
	parent = strings.TrimPrefix(filepath.Clean("/"+parent), "/")
	if parent == "" {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	return writeFile(p, []byte(parent), 0o600)
}

// removeEmptyParents removes the dirs of a container's own parent cgroup, deepest
// first, in each hierarchy, as long as they are empty (no process, no other cgroup):
// a down must leave no cgroup behind. One that still holds something is left, and so
// are those above it.
func removeEmptyParents(parent string) {
	roots := []string{cgroupRoot}
	if !unified() {
		roots = roots[:0]
		for _, c := range v1Hierarchies() {
			roots = append(roots, filepath.Join(cgroupRoot, c))
		}
	}
	for _, root := range roots {
		for p := parent; p != "." && p != "/" && p != ""; p = filepath.Dir(p) {
			if os.Remove(filepath.Join(root, p)) != nil {
				break
			}
		}
	}
}
