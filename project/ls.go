package project

import (
	"errors"
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine"
)

// ProjectSummary is one project as `ls` reports it (Compose's JSON field names).
type ProjectSummary struct {
	Name        string
	Status      string // e.g. "running(2)", "exited(1), running(1)"
	ConfigFiles string // comma-separated
}

// List returns the projects with recorded state, sorted by name, their status
// counting their containers by engine status. Without all, only running and paused
// containers count and projects with none are left out, as `docker compose ls` does.
// One-off (`run`) containers count too. A project whose state file cannot be read is
// left out and its error (naming the file, engine.ErrBadState) handed to warn, when set.
func List(cfg Config, all bool, warn func(error)) ([]ProjectSummary, error) {
	names, err := cfg.Projects()
	if err != nil {
		return nil, err
	}
	eng := cfg.engine()
	var out []ProjectSummary
	for _, name := range names {
		st, err := cfg.LoadState(name)
		if isNotFound(err) {
			continue // removed by a Down meanwhile
		}
		if errors.Is(err, engine.ErrBadState) {
			if warn != nil {
				warn(fmt.Errorf("project %q left out: %w", name, err))
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		var statuses []engine.Status
		for _, c := range st.Containers {
			if es, err := eng.State(c.ID); err == nil {
				statuses = append(statuses, es.Status)
			}
		}
		if s, ok := summarizeProject(st, statuses, all); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// summarizeProject is the project's line of `ls`; false when `ls` leaves it out.
func summarizeProject(st *State, statuses []engine.Status, all bool) (ProjectSummary, bool) {
	var counted []engine.Status
	for _, s := range statuses {
		if all || isLive(s) {
			counted = append(counted, s)
		}
	}
	if len(counted) == 0 {
		return ProjectSummary{}, false
	}
	return ProjectSummary{Name: st.Name, Status: combinedStatus(counted), ConfigFiles: strings.Join(st.ConfigFiles, ",")}, true
}

// combinedStatus counts the statuses, sorted by name: "exited(1), running(2)".
func combinedStatus(statuses []engine.Status) string {
	n := map[string]int{}
	for _, s := range statuses {
		n[string(s)]++
	}
	keys := sortedKeys(n)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s(%d)", k, n[k])
	}
	return strings.Join(parts, ", ")
}
