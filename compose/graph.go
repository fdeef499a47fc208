package compose

import (
	"fmt"
	"sort"
	"strings"
)

// Dependencies returns, for each service, the sorted services it depends on.
func (p *Project) Dependencies() map[string][]string {
	out := map[string][]string{}
	for n, svc := range p.ServiceModels() {
		deps, _ := svc["depends_on"].(map[string]any)
		list := []string{}
		for d := range deps {
			list = append(list, d)
		}
		sort.Strings(list)
		out[n] = list
	}
	return out
}

// StartLevels returns the services grouped in levels: every service of a level depends
// only on services of earlier levels, so a level can start in parallel. Stop order is
// the reverse. It assumes the project was loaded (so has no cycles).
func (p *Project) StartLevels() [][]string {
	deps := p.Dependencies()
	done := map[string]bool{}
	var levels [][]string
	for len(done) < len(deps) {
		var level []string
		for n, ds := range deps {
			if done[n] {
				continue
			}
			ready := true
			for _, d := range ds {
				if _, exists := deps[d]; exists && !done[d] {
					ready = false
				}
			}
			if ready {
				level = append(level, n)
			}
		}
		if len(level) == 0 {
			break
		}
		sort.Strings(level)
		for _, n := range level {
			done[n] = true
		}
		levels = append(levels, level)
	}
	return levels
}

// Closure returns the sorted set of services the selection pulls in (the services and
// everything they depend on, transitively). An empty selection means every service.
func (p *Project) Closure(selected []string) []string {
	deps := p.Dependencies()
	if len(selected) == 0 {
		return p.modelServiceNames()
	}
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, d := range deps[n] {
			visit(d)
		}
	}
	for _, s := range selected {
		visit(s)
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// checkDependencies reports undefined dependencies and cycles ("a -> b -> a"). A
// dependency with required: false may name a service its profiles disabled, not one
// that is not defined at all (Compose's rule).
func (p *Project) checkDependencies(errs *ErrorList, disabled map[string]bool) {
	deps := p.Dependencies()
	names := p.modelServiceNames()
	models := p.ServiceModels()
	for _, n := range names {
		for _, d := range deps[n] {
			all, _ := models[n]["depends_on"].(map[string]any)
			dm, _ := all[d].(map[string]any)
			if req, _ := dm["required"].(bool); !req && disabled[d] {
				continue
			}
			if _, ok := deps[d]; !ok {
				path := "services." + n + ".depends_on." + d
				errs.Add(posOf(p.Positions, path), path, "service %q depends on undefined service %q", n, d)
			}
		}
	}
	state := map[string]int{}
	var stack []string
	var visit func(string) bool
	visit = func(n string) bool {
		state[n] = 1
		stack = append(stack, n)
		for _, d := range deps[n] {
			if state[d] == 1 {
				i := indexOf(stack, d)
				cycle := append(append([]string{}, stack[i:]...), d)
				path := "services." + n + ".depends_on"
				errs.Add(posOf(p.Positions, path), path, "dependency cycle: %s", strings.Join(cycle, " -> "))
				return true
			}
			if state[d] == 0 && deps[d] != nil && visit(d) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = 2
		return false
	}
	for _, n := range names {
		if state[n] == 0 && visit(n) {
			return
		}
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	panic(fmt.Sprintf("indexOf: %q not in stack", s))
}
