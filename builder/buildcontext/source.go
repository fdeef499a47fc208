package buildcontext

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Source is one resolved COPY/ADD source inside the context.
type Source struct {
	Rel   string      // slash-separated path relative to the context root
	Path  string      // absolute path on disk
	Mode  fs.FileMode // Lstat mode of Path
	IsDir bool        // a directory: its contents are copied, not itself
}

// Resolve resolves one COPY/ADD source as Docker does: a path relative to
// the context root (a leading "/" means the root), or a glob in
// filepath.Match syntax matched component-wise against the context's
// non-excluded entries. A matched directory stands for its contents and its
// descendants are not matched separately. The result is in lexical order.
//
// Errors: ErrOutside for `../x` or a symlink leading out of the context,
// ErrNotFound when nothing matches or the path is excluded, ErrInvalid for
// a malformed glob.
func (c *Context) Resolve(src string) ([]Source, error) {
	rel, err := clean(src)
	if err != nil {
		return nil, err
	}
	if !hasMeta(rel) {
		s, err := c.exact(src, rel)
		if err != nil {
			return nil, err
		}
		return []Source{s}, nil
	}
	if _, err := path.Match(rel, ""); err != nil {
		return nil, fmt.Errorf("source %q: %w: %w", src, ErrInvalid, err)
	}
	var out []Source
	var skip string
	err = c.walk(".", func(r string, d fs.DirEntry) error {
		if skip != "" && strings.HasPrefix(r, skip+"/") {
			return nil
		}
		if ok, _ := path.Match(rel, r); !ok {
			return nil
		}
		s, err := c.exact(src, r)
		if err != nil {
			return err
		}
		if s.IsDir {
			skip = r
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("source %q: no files match: %w", src, ErrNotFound)
	}
	return out, nil
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }

// exact resolves a non-glob source; a symlink source is followed, and must
// stay inside the context.
func (c *Context) exact(src, rel string) (Source, error) {
	if ex, err := c.Excluded(rel); err != nil {
		return Source{}, err
	} else if ex {
		return Source{}, fmt.Errorf("source %q: excluded by .dockerignore: %w", src, ErrNotFound)
	}
	p := filepath.Join(c.dir, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Source{}, fmt.Errorf("source %q: %w", src, ErrNotFound)
	}
	if err != nil {
		return Source{}, fmt.Errorf("source %q: %w", src, err)
	}
	if real != c.dir && !strings.HasPrefix(real, c.dir+string(filepath.Separator)) {
		return Source{}, fmt.Errorf("source %q resolves to %s: %w", src, real, ErrOutside)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return Source{}, fmt.Errorf("source %q: %w", src, err)
	}
	return Source{Rel: rel, Path: real, Mode: fi.Mode(), IsDir: fi.IsDir()}, nil
}

// Entry is one filesystem entry copied for a Source.
type Entry struct {
	Rel  string      // slash-separated path relative to the source (the base name for a file source)
	Path string      // absolute path on disk
	Info fs.FileInfo // Lstat of Path: symlinks below a directory source are copied as links
}

// Entries lists what copying s writes: for a file, the file itself; for a
// directory, every non-excluded descendant (not the directory itself), in
// lexical order. Symlinks inside a directory are listed, not followed.
func (c *Context) Entries(s Source) ([]Entry, error) {
	if !s.IsDir {
		fi, err := os.Stat(s.Path)
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", s.Rel, err)
		}
		return []Entry{{Rel: path.Base(s.Rel), Path: s.Path, Info: fi}}, nil
	}
	realRel, err := filepath.Rel(c.dir, s.Path)
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", s.Rel, err)
	}
	realRel = filepath.ToSlash(realRel)
	var out []Entry
	err = c.walk(realRel, func(r string, d fs.DirEntry) error {
		fi, err := d.Info()
		if err != nil {
			return fmt.Errorf("source %q: %w", s.Rel, err)
		}
		sub := strings.TrimPrefix(r, realRel+"/")
		if realRel == "." {
			sub = r
		}
		out = append(out, Entry{Rel: sub, Path: filepath.Join(c.dir, filepath.FromSlash(r)), Info: fi})
		return nil
	})
	return out, err
}
