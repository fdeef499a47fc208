package watch

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Rule is one develop.watch entry of a service, ready to match host paths.
type Rule struct {
	Service string
	Action  string // compose.WatchAction*: sync, rebuild, restart, sync+restart, sync+exec
	Path    string // absolute host path the rule covers (a directory or a file)
	Target  string // container path Path maps to; empty for rebuild and restart
	Index   int    // the rule's place in the service's develop.watch, to run each exec once

	include Matcher
	ignore  Matcher
}

// RuleOptions are the patterns of a rule: the rule's own include and ignore (relative
// to its path) and the service's build-context ignore rules (LoadDockerIgnore).
type RuleOptions struct {
	Include      []string
	Ignore       []string
	DockerIgnore Matcher // nil: none
}

// NewRule compiles a rule. A path is ignored, as in Compose, when the build context's
// .dockerignore, an editor's temporary file pattern (Ephemeral), a .git directory or
// the rule's ignore list matches it; with include, only matching paths are kept.
func NewRule(r Rule, opts RuleOptions) (Rule, error) {
	ignore, err := NewPatterns(r.Path, opts.Ignore)
	if err != nil {
		return Rule{}, fmt.Errorf("watch rule %s of service %s: ignore: %w", r.Path, r.Service, err)
	}
	r.include = Any{}
	if len(opts.Include) > 0 {
		if r.include, err = NewPatterns(r.Path, opts.Include); err != nil {
			return Rule{}, fmt.Errorf("watch rule %s of service %s: include: %w", r.Path, r.Service, err)
		}
	}
	docker := opts.DockerIgnore
	if docker == nil {
		docker = None{}
	}
	r.ignore = Composite{docker, Ephemeral(), DotGit(), ignore}
	return r, nil
}

// Match tells whether the absolute host path is covered by the rule and, for a rule
// with a target, the container path it maps to (the target joined with the path
// relative to the rule's). A path outside the rule, not included or ignored is not
// matched; a pattern error counts as not matched and is returned.
func (r Rule) Match(host string) (container string, ok bool, err error) {
	if !IsChild(r.Path, host) {
		return "", false, nil
	}
	if in, err := r.include.Matches(host); err != nil || !in {
		return "", false, err
	}
	if out, err := r.ignore.Matches(host); err != nil || out {
		return "", false, err
	}
	if r.Target == "" {
		return "", true, nil
	}
	rel, err := filepath.Rel(r.Path, host)
	if err != nil {
		return "", false, fmt.Errorf("watch %s: %w", host, err)
	}
	return path.Join(r.Target, filepath.ToSlash(rel)), true, nil
}

// IsChild reports whether file is dir or below it (both cleaned; no symlinks read).
func IsChild(dir, file string) bool {
	if dir == "" {
		return false
	}
	dir, file = filepath.Clean(dir), filepath.Clean(file)
	if dir == file || dir == "/" {
		return true
	}
	return strings.HasPrefix(file, dir+"/")
}
