// Package buildcontext reads a build context directory for the builder:
// .dockerignore rules (via github.com/moby/patternmatcher, Docker's own
// implementation), the list of files sent, COPY/ADD source resolution with
// Docker's glob and directory rules, and a content hash of sources for the
// layer-cache key.
//
// It only reads the filesystem, never writes. Imports: the standard library
// and github.com/moby/patternmatcher only.
package buildcontext

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// Sentinel errors, tested with errors.Is.
var (
	// ErrNotFound: a source does not exist or is excluded by .dockerignore.
	ErrNotFound = errors.New("not found in build context")
	// ErrOutside: a source points outside the build context.
	ErrOutside = errors.New("outside the build context")
	// ErrInvalid: a malformed .dockerignore pattern or source glob.
	ErrInvalid = errors.New("invalid pattern")
)

// Context is a build context directory and its ignore rules. A Context is
// immutable after Open but not safe for concurrent use (the pattern matcher
// keeps no state, yet its docs do not promise concurrency safety).
type Context struct {
	dir      string // absolute, symlinks resolved
	patterns []string
	matcher  *patternmatcher.PatternMatcher
}

// Open reads the ignore rules of the context at dir. dockerfile is the
// Dockerfile's path relative to dir ("Dockerfile" when empty); rules come
// from "<dockerfile>.dockerignore" when it exists, else ".dockerignore".
// The Dockerfile and .dockerignore are always sent, as Docker does.
func Open(dir, dockerfile string) (*Context, error) {
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return nil, fmt.Errorf("open build context %q: %w", dir, err)
	}
	c := &Context{dir: abs}
	patterns, err := readIgnore(abs, dockerfile)
	if err != nil {
		return nil, fmt.Errorf("open build context %q: %w", dir, err)
	}
	if len(patterns) > 0 {
		patterns = append(patterns, "!"+path.Clean(filepath.ToSlash(dockerfile)), "!.dockerignore")
	}
	c.patterns = patterns
	if c.matcher, err = patternmatcher.New(patterns); err != nil {
		return nil, fmt.Errorf("open build context %q: .dockerignore: %w: %w", dir, ErrInvalid, err)
	}
	return c, nil
}

func readIgnore(dir, dockerfile string) ([]string, error) {
	for _, name := range []string{dockerfile + ".dockerignore", ".dockerignore"} {
		f, err := os.Open(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		defer f.Close()
		patterns, err := ignorefile.ReadAll(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		return patterns, nil
	}
	return nil, nil
}

// Dir returns the context's absolute directory.
func (c *Context) Dir() string { return c.dir }

// Patterns returns the effective ignore patterns, including the implicit
// exceptions for the Dockerfile and .dockerignore.
func (c *Context) Patterns() []string { return append([]string(nil), c.patterns...) }

// Excluded reports whether the slash-separated path rel (relative to the
// context root) is excluded by .dockerignore, directly or through a parent.
func (c *Context) Excluded(rel string) (bool, error) {
	if len(c.patterns) == 0 || rel == "." || rel == "" {
		return false, nil
	}
	ex, err := c.matcher.MatchesOrParentMatches(rel)
	if err != nil {
		return false, fmt.Errorf("match %q: %w: %w", rel, ErrInvalid, err)
	}
	return ex, nil
}

// Files lists every entry of the context that is sent to the builder
// (files, directories, symlinks), as sorted slash-separated relative paths.
func (c *Context) Files() ([]string, error) {
	var out []string
	err := c.walk(".", func(rel string, _ fs.DirEntry) error {
		out = append(out, rel)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// walk visits the non-excluded entries under rel (not rel itself) in
// lexical order. An excluded directory is skipped entirely unless an
// exception pattern (`!`) could re-include something below it.
func (c *Context) walk(rel string, fn func(rel string, d fs.DirEntry) error) error {
	root := filepath.Join(c.dir, filepath.FromSlash(rel))
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walk build context: %w", err)
		}
		if p == root {
			return nil
		}
		r, err := filepath.Rel(c.dir, p)
		if err != nil {
			return fmt.Errorf("walk build context: %w", err)
		}
		r = filepath.ToSlash(r)
		ex, err := c.Excluded(r)
		if err != nil {
			return err
		}
		if ex {
			if d.IsDir() && !c.matcher.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		return fn(r, d)
	})
}

// clean turns a COPY source into a slash-separated path relative to the
// context root, rejecting paths that climb out of it.
func clean(src string) (string, error) {
	s := filepath.ToSlash(src)
	rel := path.Clean(strings.TrimLeft(s, "/"))
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("source %q: %w", src, ErrOutside)
	}
	return rel, nil
}
