package builder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// layerFS is a read-only view of stacked layer directories in overlayfs form, as
// overlayfs would merge them: a 0/0 character device deletes what lies below, a
// directory with trusted.overlay.opaque=y hides the lower directories' contents, and
// a non-directory hides any directory below it. Paths are slash-separated and
// relative to the image root; nothing here follows a symlink outside the view.
type layerFS struct {
	dirs []string // base first, top last
}

const opaqueXattr = "trusted.overlay.opaque"

// maxSymlinks bounds symlink resolution, like the kernel's ELOOP limit.
const maxSymlinks = 40

// node is one entry of the merged view.
type node struct {
	hostPath string
	info     fs.FileInfo
}

func splitPath(p string) []string {
	var out []string
	for _, part := range strings.Split(p, "/") {
		if part != "" && part != "." {
			out = append(out, part)
		}
	}
	return out
}

func isWhiteout(fi fs.FileInfo) bool {
	if fi.Mode()&fs.ModeCharDevice == 0 || fi.Mode()&fs.ModeDevice == 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Rdev == 0
}

func isOpaque(hostPath string) bool {
	buf := make([]byte, 4)
	n, err := unix.Lgetxattr(hostPath, opaqueXattr, buf)
	return err == nil && n == 1 && buf[0] == 'y'
}

// probe reports what layer i holds at parts: the entry when present, and whether
// layer i hides the lower layers at that path (a whiteout or a non-directory on the
// way, or an opaque directory at or above it).
func (l layerFS) probe(i int, parts []string) (*node, bool) {
	p := l.dirs[i]
	for j, part := range parts {
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, false
		}
		if isWhiteout(fi) {
			return &node{p, fi}, true
		}
		last := j == len(parts)-1
		if !fi.IsDir() {
			if last {
				return &node{p, fi}, true
			}
			return nil, true
		}
		if last {
			return &node{p, fi}, isOpaque(p)
		}
		if isOpaque(p) {
			return l.probeBelowOpaque(p, parts[j+1:])
		}
	}
	return nil, false
}

// probeBelowOpaque continues probe under an opaque directory of the same layer:
// whatever is found or not, the lower layers are hidden.
func (l layerFS) probeBelowOpaque(p string, rest []string) (*node, bool) {
	for j, part := range rest {
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, true
		}
		if j == len(rest)-1 || isWhiteout(fi) || !fi.IsDir() {
			if j != len(rest)-1 {
				return nil, true
			}
			return &node{p, fi}, true
		}
	}
	return nil, true
}

// lstat returns the merged entry at rel without following symlinks in rel; parents
// must already be resolved (see resolve). A missing entry yields fs.ErrNotExist.
func (l layerFS) lstat(rel string) (*node, error) {
	parts := splitPath(rel)
	if len(parts) == 0 {
		if len(l.dirs) == 0 {
			return nil, fs.ErrNotExist
		}
		fi, err := os.Lstat(l.dirs[len(l.dirs)-1])
		if err != nil {
			return nil, err
		}
		return &node{l.dirs[len(l.dirs)-1], fi}, nil
	}
	for i := len(l.dirs) - 1; i >= 0; i-- {
		n, hides := l.probe(i, parts)
		if n != nil {
			if isWhiteout(n.info) {
				return nil, fs.ErrNotExist
			}
			return n, nil
		}
		if hides {
			break
		}
	}
	return nil, fs.ErrNotExist
}

// resolve returns rel with every symlink among its components resolved inside the
// view (an absolute link target starts again at the image root, ".." stops there);
// the last component is followed only when followLast.
func (l layerFS) resolve(rel string, followLast bool) (string, error) {
	todo := splitPath(rel)
	var cur []string
	hops := 0
	for len(todo) > 0 {
		part := todo[0]
		todo = todo[1:]
		if part == ".." {
			if len(cur) > 0 {
				cur = cur[:len(cur)-1]
			}
			continue
		}
		next := append(append([]string(nil), cur...), part)
		if len(todo) == 0 && !followLast {
			cur = next
			break
		}
		n, err := l.lstat(strings.Join(next, "/"))
		if err == nil && n.info.Mode()&fs.ModeSymlink != 0 {
			if hops++; hops > maxSymlinks {
				return "", fmt.Errorf("resolve /%s: %w", rel, unix.ELOOP)
			}
			target, err := os.Readlink(n.hostPath)
			if err != nil {
				return "", fmt.Errorf("resolve /%s: %w", rel, err)
			}
			if path.IsAbs(target) {
				cur = nil
			}
			todo = append(splitPath(target), todo...)
			continue
		}
		cur = next
	}
	return strings.Join(cur, "/"), nil
}

// stat returns the merged entry at rel, following every symlink.
func (l layerFS) stat(rel string) (*node, string, error) {
	r, err := l.resolve(rel, true)
	if err != nil {
		return nil, "", err
	}
	n, err := l.lstat(r)
	return n, r, err
}

// readFile reads the file at rel (symlinks followed).
func (l layerFS) readFile(rel string) ([]byte, error) {
	n, _, err := l.stat(rel)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(n.hostPath)
}

// dirEntry is one child of a merged directory.
type dirEntry struct {
	name string
	node
}

// readDir lists the merged directory rel (already resolved), sorted by name.
func (l layerFS) readDir(rel string) ([]dirEntry, error) {
	parts := splitPath(rel)
	seen := map[string]bool{}
	var out []dirEntry
	for i := len(l.dirs) - 1; i >= 0; i-- {
		n, hides := l.probe(i, parts)
		if len(parts) == 0 {
			n, hides = &node{hostPath: l.dirs[i]}, false
		}
		if n != nil && n.info != nil && !n.info.IsDir() {
			break
		}
		if n != nil {
			ents, err := os.ReadDir(n.hostPath)
			if err != nil {
				return nil, fmt.Errorf("read /%s: %w", rel, err)
			}
			for _, e := range ents {
				if seen[e.Name()] {
					continue
				}
				seen[e.Name()] = true
				p := filepath.Join(n.hostPath, e.Name())
				fi, err := os.Lstat(p)
				if err != nil {
					return nil, fmt.Errorf("read /%s: %w", rel, err)
				}
				if !isWhiteout(fi) {
					out = append(out, dirEntry{e.Name(), node{p, fi}})
				}
			}
		}
		if hides {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// walk calls fn for every entry below the merged directory rel (not rel itself),
// parents before children, in lexical order; sub is the path relative to rel.
func (l layerFS) walk(rel string, fn func(sub string, n node) error) error {
	var visit func(dir, sub string) error
	visit = func(dir, sub string) error {
		ents, err := l.readDir(dir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			s := path.Join(sub, e.name)
			if err := fn(s, e.node); err != nil {
				return err
			}
			if e.info.IsDir() {
				if err := visit(path.Join(dir, e.name), s); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return visit(rel, "")
}

// glob returns the merged paths matching pattern (path.Match syntax, matched one
// component at a time), sorted; symlinks on the way are not followed.
func (l layerFS) glob(pattern string) ([]string, error) {
	matches := []string{""}
	for _, part := range splitPath(pattern) {
		var next []string
		for _, dir := range matches {
			if !strings.ContainsAny(part, `*?[\`) {
				p := path.Join(dir, part)
				if _, err := l.lstat(p); err == nil {
					next = append(next, p)
				}
				continue
			}
			ents, err := l.readDir(dir)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				return nil, err
			}
			for _, e := range ents {
				ok, err := path.Match(part, e.name)
				if err != nil {
					return nil, fmt.Errorf("pattern %q: %w", pattern, err)
				}
				if ok {
					next = append(next, path.Join(dir, e.name))
				}
			}
		}
		matches = next
	}
	return matches, nil
}
