package compose

import (
	"fmt"
	"strings"
)

// usedResources lists, per kind, the top-level resources enabled services refer to.
func (f *finalizer) usedResources(svcs map[string]any) map[string]map[string]bool {
	used := map[string]map[string]bool{"networks": {}, "volumes": {}, "secrets": {}, "configs": {}}
	for n, s := range svcs {
		svc, _ := s.(map[string]any)
		nets, _ := svc["networks"].(map[string]any)
		for net := range nets {
			used["networks"][net] = true
		}
		vols, _ := svc["volumes"].([]any)
		for _, v := range vols {
			vm, _ := v.(map[string]any)
			if vm["type"] == "volume" && vm["source"] != nil {
				used["volumes"][fmt.Sprint(vm["source"])] = true
			}
		}
		build, _ := svc["build"].(map[string]any)
		for _, k := range []string{"secrets", "configs", "build.secrets"} {
			list, _ := svc[k].([]any)
			if k == "build.secrets" {
				list, _ = build["secrets"].([]any)
			}
			k, field := strings.TrimPrefix(k, "build."), k
			for i, e := range list {
				em, _ := e.(map[string]any)
				src := fmt.Sprint(em["source"])
				used[k][src] = true
				if top, _ := f.p.Model[k].(map[string]any); (top == nil || !hasKey(top, src)) && !f.noConsistency {
					f.fail(fmt.Sprintf("services.%s.%s[%d]", n, field, i), "service %q refers to undefined %s %q", n, k[:len(k)-1], src)
				}
			}
		}
		for net := range nets {
			top, _ := f.p.Model["networks"].(map[string]any)
			if net != "default" && !hasKey(top, net) && !f.noConsistency {
				f.fail(fmt.Sprintf("services.%s.networks.%s", n, net), "service %q refers to undefined network %q", n, net)
			}
		}
		models, _ := svc["models"].(map[string]any)
		for m := range models {
			if top, _ := f.p.Model["models"].(map[string]any); !hasKey(top, m) && !f.noConsistency {
				f.fail(fmt.Sprintf("services.%s.models.%s", n, m), "service %q refers to undefined model %q", n, m)
			}
		}
		for i, v := range vols {
			vm, _ := v.(map[string]any)
			top, _ := f.p.Model["volumes"].(map[string]any)
			if src, ok := vm["source"].(string); ok && vm["type"] == "volume" && !hasKey(top, src) && !f.noConsistency {
				f.fail(fmt.Sprintf("services.%s.volumes[%d]", n, i), "service %q refers to undefined volume %q", n, src)
			}
		}
	}
	return used
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// resources drops unused top-level resources and sets their names as Compose does.
func (f *finalizer) resources(kind string, used map[string]bool) {
	top, _ := f.p.Model[kind].(map[string]any)
	if kind == "networks" && used["default"] && !hasKey(top, "default") {
		if top == nil {
			top = map[string]any{}
		}
		top["default"] = nil
	}
	for name, v := range top {
		if !used[name] {
			delete(top, name)
			continue
		}
		m, _ := v.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		if m["external"] == false && !f.raw {
			delete(m, "external") // Compose's model omits a false external
		}
		if _, ok := m["name"]; !ok && !f.noNormalize {
			if ext, _ := m["external"].(bool); ext {
				m["name"] = name
			} else {
				m["name"] = f.p.Name + "_" + name
			}
		}
		if _, ok := m["ipam"].(map[string]any); kind == "networks" && !ok && !f.raw {
			m["ipam"] = map[string]any{} // Compose's model always has one (a struct)
		}
		f.resourceValues(kind+"."+name, m)
		if file, ok := m["file"].(string); ok && (kind == "secrets" || kind == "configs") {
			m["file"] = (&shaper{dir: f.p.WorkingDir, noPaths: f.noPaths}).abs(file)
		}
		top[name] = m
	}
	if len(top) == 0 {
		delete(f.p.Model, kind)
		return
	}
	f.p.Model[kind] = top
}

// resourceValues normalizes a top-level resource's labels (a list becomes a map) and
// driver options (values become strings), as Compose's model holds them.
func (f *finalizer) resourceValues(path string, m map[string]any) {
	if v, ok := m["labels"]; ok {
		sh := &shaper{pos: f.p.Positions, errs: f.errs}
		m["labels"] = sh.toMap(path+".labels", v, false)
	}
	if opts, ok := m["driver_opts"].(map[string]any); ok {
		for k, v := range opts {
			opts[k] = scalarString(v)
		}
	}
}
