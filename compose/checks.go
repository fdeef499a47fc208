package compose

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var validProjectName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

var dependsConditions = map[string]bool{"service_started": true, "service_healthy": true, "service_completed_successfully": true}

// listKeys are service keys that must be sequences (or absent).
var listKeys = []string{"ports", "expose", "cap_add", "cap_drop", "devices", "dns_opt", "security_opt", "volumes_from", "links", "profiles", "secrets", "configs", "volumes", "external_links", "group_add"}

// boolKeys are service keys that must be booleans.
var boolKeys = []string{"privileged", "read_only", "tty", "stdin_open", "init", "oom_kill_disable"}

// checkService reports the consistency rules Compose enforces on one service.
func (f *finalizer) checkService(name string, svc map[string]any) {
	base := "services." + name
	for _, k := range listKeys {
		if v, ok := svc[k]; ok && v != nil {
			if _, isList := v.([]any); !isList {
				f.fail(base+"."+k, "must be a list, got %v", v)
			}
		}
	}
	coerceTypes(svc)
	for _, k := range boolKeys {
		if v, ok := svc[k]; ok {
			if _, isBool := v.(bool); !isBool {
				f.fail(base+"."+k, "must be a boolean (true or false), got %q", fmt.Sprint(v))
			}
		}
	}
	dropFalseFlags(svc)
	_, hasImage := svc["image"]
	_, hasBuild := svc["build"]
	_, hasProvider := svc["provider"]
	if !hasImage && !hasBuild && !hasProvider {
		f.fail(base, "service %q has neither an image nor a build context specified", name)
	}
	if _, mode := svc["network_mode"]; mode {
		if nets, ok := svc["networks"].(map[string]any); ok && len(nets) > 0 {
			f.fail(base+".network_mode", "service %q declares network_mode and networks; use one or the other", name)
		}
	}
	deps, _ := svc["depends_on"].(map[string]any)
	for d, v := range deps {
		dm, _ := v.(map[string]any)
		c, ok := dm["condition"]
		if !ok {
			f.fail(base+".depends_on."+d, "condition is required in the long form (service_started, service_healthy or service_completed_successfully)")
		}
		if ok && !dependsConditions[fmt.Sprint(c)] {
			path := base + ".depends_on." + d + ".condition"
			f.fail(path, "invalid condition %q: expected service_started, service_healthy or service_completed_successfully", fmt.Sprint(c))
		}
	}
	deploy, _ := svc["deploy"].(map[string]any)
	replicas, _ := deploy["replicas"].(int)
	if scale, ok := svc["scale"].(int); ok && scale > replicas {
		replicas = scale
	}
	if _, named := svc["container_name"]; named && replicas > 1 {
		f.fail(base+".container_name", "service %q sets container_name and %d replicas; container names must be unique", name, replicas)
	}
	f.checkLimits(base, svc, deploy)
	f.checkUlimits(base, svc)
}

// coerceTypes turns interpolated strings back into the booleans and integers the
// fields hold, as Compose does after interpolation.
func coerceTypes(svc map[string]any) {
	for _, k := range boolKeys {
		if str, ok := svc[k].(string); ok {
			if b, err := strconv.ParseBool(str); err == nil {
				svc[k] = b
			}
		}
	}
	coerceInt(svc, "scale", "cpu_shares", "pids_limit", "oom_score_adj")
	if hc, ok := svc["healthcheck"].(map[string]any); ok {
		coerceInt(hc, "retries")
	}
	if d, ok := svc["deploy"].(map[string]any); ok {
		coerceInt(d, "replicas")
	}
}

func coerceInt(m map[string]any, keys ...string) {
	for _, k := range keys {
		if str, ok := m[k].(string); ok {
			if n, err := strconv.Atoi(str); err == nil {
				m[k] = n
			}
		}
	}
}

// checkUlimits requires each ulimit to be a number or a mapping of soft and hard
// numbers. A mapping's x- keys are allowed and dropped, as Compose's model has no
// place for them.
func (f *finalizer) checkUlimits(base string, svc map[string]any) {
	ul, _ := svc["ulimits"].(map[string]any)
	for name, v := range ul {
		path := base + ".ulimits." + name
		switch x := v.(type) {
		case int:
		case map[string]any:
			coerceInt(x, "soft", "hard")
			for k, e := range x {
				if strings.HasPrefix(k, "x-") {
					delete(x, k)
					continue
				}
				if _, ok := e.(int); !ok || (k != "soft" && k != "hard") {
					f.fail(path+"."+k, "invalid ulimit %s %q: expected soft and hard as integers", k, fmt.Sprint(e))
				}
			}
		default:
			coerceInt(ul, name)
			if _, ok := ul[name].(int); !ok {
				f.fail(path, "invalid ulimit %q: expected an integer or soft and hard integers", fmt.Sprint(v))
			}
		}
	}
}

// checkLimits reports cpus and mem_limit that differ from their deploy.resources.limits
// counterparts.
func (f *finalizer) checkLimits(base string, svc, deploy map[string]any) {
	res, _ := deploy["resources"].(map[string]any)
	limits, _ := res["limits"].(map[string]any)
	if c, ok := svc["cpus"]; ok {
		if lc, ok := limits["cpus"]; ok && fmt.Sprint(lc) != fmt.Sprint(c) {
			f.fail(base+".cpus", "cpus %v conflicts with deploy.resources.limits.cpus %v", c, lc)
		}
	}
	if m, ok := svc["mem_limit"]; ok {
		if lm, ok := limits["memory"]; ok && fmt.Sprint(lm) != fmt.Sprint(m) {
			f.fail(base+".mem_limit", "mem_limit %v conflicts with deploy.resources.limits.memory %v (bytes); set one, or the same value", m, lm)
		}
	}
}
