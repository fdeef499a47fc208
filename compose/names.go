package compose

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/distribution/reference"
)

// Names in a compose file become names of host objects: a volume's name is a directory
// under berth's root, a project's name its state directory. They follow the rules Docker
// and Compose enforce, so that no name can point outside the root ("../x", "a/b", ""):
//
//	keys of services, networks, volumes, secrets, configs   compose-spec: [a-zA-Z0-9._-]+
//	volume and network names, container_name, run --name    Docker:  [a-zA-Z0-9][a-zA-Z0-9_.-]+
//	project name (-p, COMPOSE_PROJECT_NAME, name:)          Compose: [a-z0-9][a-z0-9_-]*
//	image                                                   Docker's reference grammar
//
// Compose itself checks the keys (its schema) and the project name; Docker's daemon checks
// the rest when it creates the object. berth has no daemon, so the loader checks them all.

var (
	// validName is Docker's names.RestrictedNamePattern (containers and volumes).
	validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)
	// validKey is the compose-spec schema's pattern for the keys of the top-level maps.
	validKey = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)
)

// namedKinds are the top-level maps whose keys the schema restricts.
var namedKinds = []string{"services", "networks", "volumes", "secrets", "configs"}

// CheckName returns nil if name is a valid Docker name for a kind of object ("volume",
// "network", "container"), else an error wrapping ErrInvalid that says what is allowed.
func CheckName(kind, name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("invalid %s name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least 2 characters: %w", kind, name, ErrInvalid)
	}
	return nil
}

// CheckProjectName returns nil if name is a valid project name as Compose requires of -p
// and COMPOSE_PROJECT_NAME (it normalizes only a name it derives itself), else an error
// wrapping ErrInvalid.
func CheckProjectName(name string) error {
	if !validProjectName.MatchString(name) {
		return fmt.Errorf("invalid project name %q: must contain only lowercase letters, digits, dashes and underscores, and start with a letter or digit: %w", name, ErrInvalid)
	}
	return nil
}

// CheckImage returns nil if ref is an image reference Docker accepts ("redis",
// "ghcr.io/a/b:1", "x@sha256:...", an image ID), else an error wrapping ErrInvalid.
func CheckImage(ref string) error {
	if _, err := reference.ParseAnyReference(ref); err != nil {
		return fmt.Errorf("invalid image reference %q: %s: %w", ref, err, ErrInvalid)
	}
	return nil
}

// checkKeys reports keys of the top-level maps that the compose-spec schema refuses.
// It runs before unused resources are dropped, so every key in the files is checked.
func (f *finalizer) checkKeys() {
	for _, kind := range namedKinds {
		m, _ := f.p.Model[kind].(map[string]any)
		for _, k := range sortedMapKeys(m) {
			if !validKey.MatchString(k) {
				f.fail(kind+"."+k, "invalid key %q: only letters, digits, \".\", \"_\" and \"-\" are allowed", k)
			}
		}
	}
}

// checkNames reports names that would become host objects: volume and network names
// (after the default <project>_<key> is set), container names and images.
func (f *finalizer) checkNames(svcs map[string]any) {
	for _, kind := range []string{"volumes", "networks"} {
		m, _ := f.p.Model[kind].(map[string]any)
		for _, k := range sortedMapKeys(m) {
			r, _ := m[k].(map[string]any)
			n, ok := r["name"]
			if !ok || f.derivedFromBad(k, fmt.Sprint(n)) {
				continue
			}
			f.checkName(kind+"."+k+".name", kind[:len(kind)-1], fmt.Sprint(n))
		}
	}
	for _, n := range sortedMapKeys(svcs) {
		svc, _ := svcs[n].(map[string]any)
		if c, ok := svc["container_name"]; ok {
			f.checkName("services."+n+".container_name", "container", fmt.Sprint(c))
		}
		if img, ok := svc["image"]; ok {
			if _, err := reference.ParseAnyReference(fmt.Sprint(img)); err != nil {
				f.fail("services."+n+".image", "invalid image reference %q: %s", fmt.Sprint(img), err)
			}
		}
	}
}

// derivedFromBad tells a default name (<project>_<key>) made of a key or project name
// already reported, so the one mistake is not reported twice.
func (f *finalizer) derivedFromBad(key, name string) bool {
	if name != f.p.Name+"_"+key {
		return false
	}
	return !validKey.MatchString(key) || !validProjectName.MatchString(f.p.Name)
}

func (f *finalizer) checkName(path, kind, name string) {
	if !validName.MatchString(name) {
		f.fail(path, "invalid %s name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least 2 characters", kind, name)
	}
}

// sortedMapKeys returns m's keys in order, so errors come out the same on every run.
func sortedMapKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
