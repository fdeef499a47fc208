package project

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Volumes returns the full names (<project>_<volume>) of the named volumes project
// name records, sorted, as `docker compose volumes` lists them; with services, only
// those a running (or paused) container of one of them mounts, as Compose, which asks
// the daemon for running containers only. Anonymous volumes carry no project label in
// Docker and are left out as Compose leaves them out. A project never brought up has
// none; a service neither its state nor p knows is ErrNotFound.
func Volumes(cfg Config, name string, services []string) ([]string, error) {
	r, err := cfg.stateRun(name)
	if r == nil {
		return nil, err
	}
	var names []string
	for _, full := range r.st.Volumes {
		names = append(names, full)
	}
	sort.Strings(names)
	if len(services) == 0 {
		return names, nil
	}
	ctrs, err := r.live(services)
	if err != nil {
		return nil, err
	}
	var sources []string
	for _, c := range ctrs {
		spec, err := r.eng.Spec(c.ID)
		if isNotFound(err) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("volumes of %s: %w", describe(c), err)
		}
		for _, m := range spec.Mounts {
			if m.Type == "bind" {
				sources = append(sources, filepath.Clean(m.Source))
			}
		}
	}
	return mountedVolumes(cfg, names, sources), nil
}

// mountedVolumes keeps the volumes of names whose directory is, or holds, one of the
// bind sources.
func mountedVolumes(cfg Config, names, sources []string) []string {
	var out []string
	for _, n := range names {
		dir, err := cfg.VolumeDir(n)
		if err != nil {
			continue
		}
		for _, src := range sources {
			if src == dir || strings.HasPrefix(src, dir+"/") {
				out = append(out, n)
				break
			}
		}
	}
	return out
}
