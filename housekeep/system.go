package housekeep

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/berth-dev/berth/builder"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/project"
)

// SystemPruneOptions are `system prune`'s flags.
type SystemPruneOptions struct {
	All     bool // every unused image, not only dangling ones; all the build cache
	Volumes bool // anonymous volumes no container uses, too
}

// SystemPruneReport is what SystemPrune removed, kind by kind.
type SystemPruneReport struct {
	Containers []string // names of the removed containers
	Networks   []string
	Volumes    PruneReport
	Images     image.PruneReport
	BuildCache builder.CachePruneReport
	// Reclaimed is the bytes freed in all.
	Reclaimed int64
}

// SystemPrune removes, in Docker's order, the stopped containers (through each
// project's own Remove, so its state stays true), the networks no container and no
// project uses, with opts.Volumes the anonymous volumes no container uses, the
// dangling images (opts.All: every unused image) and the dangling build cache
// (opts.All: all of it). Each step reads what is in use afresh.
func (s *Store) SystemPrune(ctx context.Context, opts SystemPruneOptions) (SystemPruneReport, error) {
	var rep SystemPruneReport
	var err error
	if rep.Containers, rep.Reclaimed, err = s.pruneContainers(ctx); err != nil {
		return rep, err
	}
	nets, err := s.PruneNetworks(ctx, Filter{})
	if err != nil {
		return rep, err
	}
	rep.Networks = nets.Deleted
	if opts.Volumes {
		if rep.Volumes, err = s.PruneVolumes(false, Filter{}); err != nil {
			return rep, err
		}
	}
	if rep.Images, err = s.PruneImages(opts.All, Filter{}); err != nil {
		return rep, err
	}
	if rep.BuildCache, err = s.PruneBuildCache(opts.All); err != nil {
		return rep, err
	}
	rep.Reclaimed += rep.Volumes.Reclaimed + rep.Images.Reclaimed + rep.BuildCache.Reclaimed
	return rep, nil
}

// pruneContainers removes every container that is not running: a project's through
// project.Remove; one of no project (an interrupted build's) through the engine, when
// it has exited. A container labelled with a project whose state is lost stays: that
// project's down finds it by its labels and removes its network objects too. It returns their names and the size of
// their writable layers.
func (s *Store) pruneContainers(ctx context.Context) ([]string, int64, error) {
	u, err := s.scan()
	if err != nil {
		return nil, 0, err
	}
	sizes := map[string]int64{}
	for _, c := range u.containers {
		if dir, err := s.engine().UpperDir(c.ID); err == nil && !live(c.Status) {
			sizes[c.Name] = dirSize(dir)
		}
	}
	var removed []string
	projects, err := s.cfg.Projects()
	if err != nil {
		return nil, 0, err
	}
	for _, name := range projects {
		err := project.Remove(ctx, s.cfg, name, project.RemoveOptions{Progress: io.Discard,
			Confirm: func(names []string) (bool, error) { removed = append(removed, names...); return true, nil }})
		if errors.Is(err, engine.ErrBadState) {
			continue // named by the volume and network steps, which refuse
		}
		if err != nil && !errors.Is(err, project.ErrNotFound) {
			return removed, 0, fmt.Errorf("prune containers of project %q: %w", name, err)
		}
	}
	for _, c := range u.containers {
		if c.Project != "" || c.Status != engine.StatusExited {
			continue
		}
		if err := s.engine().Remove(c.ID, false); err != nil && !errors.Is(err, engine.ErrNotFound) {
			return removed, 0, fmt.Errorf("prune container %s: %w", c.ID, err)
		}
		removed = append(removed, c.Name)
	}
	var n int64
	for _, name := range removed {
		n += sizes[name]
	}
	return removed, n, nil
}

func live(st engine.Status) bool {
	return st == engine.StatusRunning || st == engine.StatusPaused
}
