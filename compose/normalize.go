package compose

import (
	"fmt"
	"sort"
	"strings"
)

// normalize applies the per-service value normalizations Docker Compose makes
// after merging (its typed model's encoding): single strings become lists, short
// device mappings become long ones, host lists are sorted, false flags and legacy
// pull policy names disappear.
func (f *finalizer) normalize(base string, svc map[string]any) {
	for _, k := range []string{"dns", "dns_search", "tmpfs"} {
		if s, ok := svc[k].(string); ok {
			svc[k] = []any{s}
		}
	}
	if list, ok := svc["devices"].([]any); ok {
		for i, d := range list {
			if s, ok := d.(string); ok {
				list[i] = deviceMapping(s)
			}
		}
	}
	if list, ok := svc["extra_hosts"].([]any); ok {
		sort.Slice(list, func(i, j int) bool { return fmt.Sprint(list[i]) < fmt.Sprint(list[j]) })
	}
	if b, ok := svc["build"].(map[string]any); ok {
		args, _ := b["args"].(map[string]any)
		for k, v := range args {
			if v != nil {
				continue
			}
			if ev, ok := f.env[k]; ok {
				args[k] = ev
			} else {
				delete(args, k) // Compose passes no value for an unset bare arg
			}
		}
	}
	vols, _ := svc["volumes"].([]any)
	for i, v := range vols {
		vm, _ := v.(map[string]any)
		if t, ok := vm["tmpfs"].(map[string]any); ok {
			f.size(fmt.Sprintf("%s.volumes[%d].tmpfs.size", base, i), t, "size")
		}
	}
	if svc["pull_policy"] == "if_not_present" {
		svc["pull_policy"] = "missing"
	}
	if svc["mem_swappiness"] != nil {
		svc["mem_swappiness"] = scalarString(svc["mem_swappiness"])
	}
	f.deployDurations(base, svc)
}

// dropFalseFlags removes the plain boolean fields that are false: Compose's model
// omits them (init, a tri-state, stays).
func dropFalseFlags(svc map[string]any) {
	for _, k := range []string{"privileged", "read_only", "tty", "stdin_open", "oom_kill_disable"} {
		if svc[k] == false {
			delete(svc, k)
		}
	}
}

// deviceMapping turns "src[:dst[:perm]]" into the long form.
func deviceMapping(s string) map[string]any {
	parts := strings.Split(s, ":")
	m := map[string]any{"source": parts[0], "target": parts[0], "permissions": "rwm"}
	if len(parts) > 1 {
		m["target"] = parts[1]
	}
	if len(parts) > 2 {
		m["permissions"] = parts[2]
	}
	return m
}

// dropServiceExtensions removes the services' x- keys from the JSON model: Compose's
// JSON does not print them (the typed model keeps them in ServiceConfig.Extensions);
// its YAML does, so they are kept aside in p.serviceExt for YAML.
func (p *Project) dropServiceExtensions() {
	for name, svc := range p.ServiceModels() {
		for k, v := range svc {
			if strings.HasPrefix(k, "x-") {
				if p.serviceExt == nil {
					p.serviceExt = map[string]map[string]any{}
				}
				if p.serviceExt[name] == nil {
					p.serviceExt[name] = map[string]any{}
				}
				p.serviceExt[name][k] = v
				delete(svc, k)
			}
		}
	}
}

// deployDurations normalizes the durations of deploy's restart and update policies.
func (f *finalizer) deployDurations(base string, svc map[string]any) {
	d, ok := svc["deploy"].(map[string]any)
	if !ok {
		return
	}
	if rp, ok := d["restart_policy"].(map[string]any); ok {
		for _, k := range []string{"delay", "window"} {
			f.duration(base+".deploy.restart_policy."+k, rp, k)
		}
	}
	for _, u := range []string{"update_config", "rollback_config"} {
		if uc, ok := d[u].(map[string]any); ok {
			for _, k := range []string{"delay", "monitor"} {
				f.duration(base+".deploy."+u+"."+k, uc, k)
			}
		}
	}
}
