package compose

import (
	"sort"

	"github.com/berth-dev/berth/compose/interp"
)

// Variables lists the variables the project's files refer to, sorted by name, as
// `docker compose config --variables` does. It is meaningful only for a project
// loaded with NoInterpolate (an interpolated model has no references left). A
// variable referred to several times gets one entry: required if any reference
// requires it, and the first default and alternate value found in key order
// (Compose keeps one at random).
func (p *Project) Variables() []interp.Variable {
	byName := map[string]*interp.Variable{}
	walkStrings(p.Model, func(s string) {
		for _, v := range interp.Variables(s) {
			have := byName[v.Name]
			if have == nil {
				v := v
				byName[v.Name] = &v
				continue
			}
			have.Required = have.Required || v.Required
			if have.DefaultValue == "" {
				have.DefaultValue = v.DefaultValue
			}
			if have.AlternateValue == "" {
				have.AlternateValue = v.AlternateValue
			}
		}
	})
	out := make([]interp.Variable, 0, len(byName))
	for _, v := range byName {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// walkStrings calls fn with every string value of v, maps visited in key order.
func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkStrings(x[k], fn)
		}
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	}
}
