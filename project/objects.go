package project

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

// Secrets and configs, as Docker Compose gives them to containers without Swarm: each is
// a read-only file in the container. One with `file:` is that file, bind-mounted (its
// uid, gid and mode are the host file's: Compose ignores those keys there too); one with
// `environment:` (the value of that variable of the project's environment) or, for a
// config, `content:` is written to a file under the project's state dir with the mode
// (default 0444), uid and gid the service asks for, and bind-mounted. A secret goes to
// /run/secrets/<target> (target defaults to the secret's name; an absolute target is
// taken as is), a config to its target, by default /<config name>. External ones exist
// only in Docker Swarm: refused.

// objectKind is "secrets" or "configs": the top-level key, and the dir of written ones.
type objectKind string

const (
	kindSecret objectKind = "secrets"
	kindConfig objectKind = "configs"
)

// objectMounts returns the mounts of svc's secrets and configs, writing the content of
// those that are not files (objectErrors finds the errors before anything of the
// project is made).
func (c Config) objectMounts(p *compose.Project, svc compose.ServiceConfig) ([]engine.Mount, error) {
	var out []engine.Mount
	for _, s := range svc.Secrets {
		target := s.Target
		if target == "" {
			target = s.Source
		}
		if !path.IsAbs(target) {
			target = "/run/secrets/" + target
		}
		m, err := c.objectMount(p, kindSecret, compose.FileObjectConfig(p.Secrets[s.Source]), compose.FileReferenceConfig(s), target, false)
		if err != nil {
			return nil, fmt.Errorf("service %q: secret %q: %w", svc.Name, s.Source, err)
		}
		out = append(out, m)
	}
	for _, cf := range svc.Configs {
		target := cf.Target
		if target == "" {
			target = "/" + cf.Source
		}
		m, err := c.objectMount(p, kindConfig, compose.FileObjectConfig(p.Configs[cf.Source]), compose.FileReferenceConfig(cf), target, false)
		if err != nil {
			return nil, fmt.Errorf("service %q: config %q: %w", svc.Name, cf.Source, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// objectErrors lists what would stop svc's secrets and configs from being given to it
// (objectMounts' check: a missing file, an unset variable, an external one), each named
// by its top-level key and placed at its source in the compose files.
func (c Config) objectErrors(p *compose.Project, svc compose.ServiceConfig) compose.ErrorList {
	var errs compose.ErrorList
	check := func(kind objectKind, source string, obj compose.FileObjectConfig, ref compose.FileReferenceConfig) {
		if _, err := c.objectMount(p, kind, obj, ref, "/", true); err != nil {
			path := string(kind) + "." + source
			errs = append(errs, &compose.Error{Pos: p.ErrorAt(path+"."+objectSource(obj), "").Pos, Path: path, Msg: err.Error()})
		}
	}
	for _, s := range svc.Secrets {
		check(kindSecret, s.Source, compose.FileObjectConfig(p.Secrets[s.Source]), compose.FileReferenceConfig(s))
	}
	for _, cf := range svc.Configs {
		check(kindConfig, cf.Source, compose.FileObjectConfig(p.Configs[cf.Source]), compose.FileReferenceConfig(cf))
	}
	return errs
}

// objectSource is the key of obj's source: file, environment, content or external.
func objectSource(obj compose.FileObjectConfig) string {
	switch {
	case obj.File != "":
		return "file"
	case obj.Environment != "":
		return "environment"
	case obj.Content != "":
		return "content"
	case obj.External:
		return "external"
	}
	return ""
}

func (c Config) objectMount(p *compose.Project, kind objectKind, obj compose.FileObjectConfig, ref compose.FileReferenceConfig, target string, check bool) (engine.Mount, error) {
	m := engine.Mount{Type: "bind", Target: target, ReadOnly: true}
	switch {
	case obj.File != "":
		if _, err := os.Stat(obj.File); err != nil {
			return m, fmt.Errorf("file: %w", err)
		}
		m.Source = obj.File
		return m, nil
	case obj.Environment != "":
		v, ok := p.Env[obj.Environment]
		if !ok {
			return m, fmt.Errorf("environment variable %q is not set: %w", obj.Environment, ErrInvalid)
		}
		return c.writeObject(p.Name, kind, ref, v, m, check)
	case obj.Content != "" && kind == kindConfig:
		return c.writeObject(p.Name, kind, ref, obj.Content, m, check)
	case obj.External:
		return m, fmt.Errorf("external %s exist only in Docker Swarm: %w", kind, ErrInvalid)
	}
	return m, fmt.Errorf("it has neither file, environment nor content: %w", ErrInvalid)
}

// writeObject writes content for ref to <project dir>/<kind>/, one file per source,
// uid, gid and mode, and returns m with that file as its source; with check it only
// checks ref.
func (c Config) writeObject(project string, kind objectKind, ref compose.FileReferenceConfig, content string, m engine.Mount, check bool) (engine.Mount, error) {
	mode := os.FileMode(0o444)
	if ref.Mode != nil {
		mode = os.FileMode(*ref.Mode) & os.ModePerm
	}
	uid, gid := 0, 0
	for _, id := range []struct {
		s   string
		dst *int
	}{{ref.UID, &uid}, {ref.GID, &gid}} {
		if id.s == "" {
			continue
		}
		n, err := strconv.Atoi(id.s)
		if err != nil || n < 0 {
			return m, fmt.Errorf("uid/gid %q: not a number: %w", id.s, ErrInvalid)
		}
		*id.dst = n
	}
	pdir, err := c.projectDir(project)
	if err != nil {
		return m, err
	}
	dir := filepath.Join(pdir, string(kind))
	if m.Source, err = pathUnder(dir, fmt.Sprintf("%s-%d-%d-%o", ref.Source, uid, gid, mode)); err != nil {
		return m, err
	}
	if check {
		return m, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return m, err
	}
	if err := writeAtomic(m.Source, []byte(content)); err != nil {
		return m, err
	}
	if uid != os.Getuid() || gid != os.Getgid() { // a file is made with the maker's
		if err := os.Chown(m.Source, uid, gid); err != nil {
			return m, err
		}
	}
	return m, os.Chmod(m.Source, mode)
}
