package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// Matcher tells whether an absolute host path is covered by a set of patterns.
// Implementations are safe for concurrent use only when documented.
type Matcher interface {
	Matches(path string) (bool, error)
}

// Any matches every path (a rule without include:).
type Any struct{}

// Matches returns true.
func (Any) Matches(string) (bool, error) { return true, nil }

// None matches no path (a service without a build context has no .dockerignore).
type None struct{}

// Matches returns false.
func (None) Matches(string) (bool, error) { return false, nil }

// Composite matches a path that any of its matchers matches.
type Composite []Matcher

// Matches reports whether one of the matchers matches path; the first error ends it.
func (c Composite) Matches(path string) (bool, error) {
	for _, m := range c {
		ok, err := m.Matches(path)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// Patterns is a list of .dockerignore patterns rooted at a directory, matched as
// Compose's watch matches them: a pattern (or exclusion "!p") is made absolute
// against the root, and a path matches when it or one of its parents matches. As in
// Compose, a list holding "*" keeps only its exclusions (so ["*", "!a"] matches
// nothing: Compose's behaviour, kept for the same files to act the same).
type Patterns struct {
	root    string
	matcher *patternmatcher.PatternMatcher
}

// NewPatterns compiles patterns relative to root (made absolute). A malformed pattern
// is an error naming it.
func NewPatterns(root string, patterns []string) (*Patterns, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("patterns of %s: %w", root, err)
	}
	if slices.Contains(patterns, "*") {
		patterns = slices.DeleteFunc(slices.Clone(patterns), func(p string) bool {
			return p != "" && p[0] != '!'
		})
	}
	pm, err := patternmatcher.New(absPatterns(abs, patterns))
	if err != nil {
		return nil, fmt.Errorf("patterns %q: %w", patterns, err)
	}
	return &Patterns{root: abs, matcher: pm}, nil
}

// absPatterns makes every pattern absolute under root, keeping a leading "!".
func absPatterns(root string, patterns []string) []string {
	out := make([]string, 0, len(patterns))
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		p = filepath.Clean(p)
		neg := ""
		if p[0] == '!' {
			neg, p = "!", p[1:]
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		out = append(out, neg+p)
	}
	return out
}

// Matches reports whether path (made absolute against the root when relative) or one
// of its parents matches the patterns.
func (m *Patterns) Matches(path string) (bool, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(m.root, path)
	}
	ok, err := m.matcher.MatchesOrParentMatches(path)
	if err != nil {
		return false, fmt.Errorf("match %s: %w", path, err)
	}
	return ok, nil
}

// LoadDockerIgnore reads the ignore file of a build context as Compose's watch does:
// "<dockerfile>.dockerignore" in the context when it exists, else ".dockerignore";
// neither is no pattern at all. Unlike a build, no exception is added for the
// Dockerfile or the ignore file itself. An empty context (no build:) matches nothing.
func LoadDockerIgnore(context, dockerfile string) (Matcher, error) {
	if context == "" {
		return None{}, nil
	}
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	for _, name := range []string{filepath.Join(context, dockerfile+".dockerignore"), filepath.Join(context, ".dockerignore")} {
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		defer f.Close()
		patterns, err := ignorefile.ReadAll(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		return NewPatterns(context, patterns)
	}
	return NewPatterns(context, nil)
}

// Ephemeral matches the temporary and lock files of editors and tools (GoLand, Emacs,
// Vim, Kate, the go command), which Compose never syncs nor rebuilds for.
func Ephemeral() Matcher {
	m, err := NewPatterns("/", []string{
		"**/*___jb_old___", "**/*___jb_tmp___", "**/.idea/**", // GoLand
		"**/.#*", "**/#*#", // Emacs
		"**/4913", "**/*~", "**/.*.swp", "**/.*.swx", "**/.*.swo", "**/.*.swn", // Vim
		"**/.*.kate-swp",    // Kate
		"**/*-go-tmp-umask", // go's umask probe
	})
	if err != nil {
		panic(err) // constant patterns
	}
	return m
}

// DotGit matches every .git directory and what is inside. Compose means to ignore them
// too, but its pattern (".git/" rooted at "/") only matches "/.git" when a full path
// is tested, so a change under a watched .git reaches its rules; berth ignores any .git.
func DotGit() Matcher {
	m, err := NewPatterns("/", []string{"**/.git"})
	if err != nil {
		panic(err) // constant pattern
	}
	return m
}
