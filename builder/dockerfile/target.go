package dockerfile

import (
	"fmt"
	"sort"
	"strings"
)

func (d *Dockerfile) stageIndex(name string) int {
	for i, s := range d.Stages {
		if s.Name != "" && s.Name == name {
			return i
		}
	}
	return -1
}

// Target returns the stage named target (case-insensitive), or the last
// stage when target is empty. It returns an *Error wrapping ErrInvalid when
// no stage has that name.
func (d *Dockerfile) Target(target string) (*Stage, error) {
	if target == "" {
		return d.Stages[len(d.Stages)-1], nil
	}
	if i := d.stageIndex(strings.ToLower(target)); i >= 0 {
		return d.Stages[i], nil
	}
	var names []string
	for _, s := range d.Stages {
		if s.Name != "" {
			names = append(names, s.Name)
		}
	}
	return nil, &Error{File: d.filename, Kind: ErrInvalid,
		Msg: fmt.Sprintf("target stage %q not found (stages: %s)", target, strings.Join(names, ", "))}
}

// Needed returns the indices of the stages that building target requires,
// in ascending (build) order, including target itself: its base stages and
// every stage a COPY --from or RUN --mount from= names, transitively.
func (d *Dockerfile) Needed(target *Stage) []int {
	seen := map[int]bool{}
	var visit func(i int)
	visit = func(i int) {
		if seen[i] {
			return
		}
		seen[i] = true
		s := d.Stages[i]
		if s.BaseStage != nil {
			visit(*s.BaseStage)
		}
		for _, in := range s.Instructions {
			if in.Copy != nil && in.Copy.FromStage != nil {
				visit(*in.Copy.FromStage)
			}
			for _, m := range in.Mounts {
				if m.FromStage != nil {
					visit(*m.FromStage)
				}
			}
		}
	}
	visit(target.Index)
	out := make([]int, 0, len(seen))
	for i := range seen {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}
