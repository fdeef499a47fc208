package project

import (
	"errors"
	"fmt"
	"sort"

	"github.com/berth-dev/berth/engine"
)

// ContainerStats is one sample of a container's resource usage: the engine's counters
// (see engine.Stats), zero for a container that is not running.
type ContainerStats struct {
	ID   string
	Name string
	engine.Stats
}

// StatsOptions select the containers Stats samples.
type StatsOptions struct {
	All      bool     // stopped containers too (with zero counters), as Compose's -a
	Services []string // only these services; empty: all. An unknown one selects none, as Compose.
}

// Stats samples the containers of project name, one-off ones included as Docker's
// label filter includes them, sorted by name: the running (and paused) ones, every
// one with All. A container that stops while it is sampled is left out unless All.
// A project never brought up has none.
func Stats(cfg Config, name string, opts StatsOptions) ([]ContainerStats, error) {
	r, err := cfg.stateRun(name)
	if r == nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, s := range opts.Services {
		want[s] = true
	}
	var out []ContainerStats
	for _, c := range r.st.Containers {
		if len(want) > 0 && !want[c.Service] {
			continue
		}
		s, err := r.eng.Stats(c.ID)
		if errors.Is(err, engine.ErrNotRunning) || isNotFound(err) {
			if opts.All && !isNotFound(err) {
				out = append(out, ContainerStats{ID: c.ID, Name: c.Name})
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("stats of %s: %w", describe(c), err)
		}
		out = append(out, ContainerStats{ID: c.ID, Name: c.Name, Stats: s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
