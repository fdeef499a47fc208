package compose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// keyOrders gives, per model context, the key order of Compose's structs (the field
// order of compose-go v2.16.1, the library of Docker Compose v5.6.0; JSON follows
// it). Contexts use "*" for a map entry and "[]" for a list item. Keys a context does
// not list, and maps with no context, come alphabetically after.
var keyOrders = map[string][]string{
	"*.configs.*":                                          {"name", "file", "environment", "content", "external", "labels", "driver", "driver_opts", "template_driver"},
	"*.secrets.*":                                          {"name", "file", "environment", "content", "external", "labels", "driver", "driver_opts", "template_driver"},
	"*.networks.*":                                         {"name", "driver", "driver_opts", "ipam", "external", "internal", "attachable", "labels", "enable_ipv4", "enable_ipv6"},
	"*.networks.*.ipam":                                    {"driver", "config", "options"},
	"*.networks.*.ipam.config[]":                           {"subnet", "gateway", "ip_range", "aux_addresses"},
	"*.volumes.*":                                          {"name", "driver", "driver_opts", "external", "labels"},
	"*.models.*":                                           {"name", "model", "context_size", "runtime_flags"},
	"*.services.*.build":                                   {"context", "dockerfile", "dockerfile_inline", "entitlements", "args", "provenance", "sbom", "ssh", "labels", "cache_from", "cache_to", "no_cache", "no_cache_filter", "additional_contexts", "pull", "extra_hosts", "isolation", "network", "target", "secrets", "shm_size", "tags", "ulimits", "platforms", "privileged"},
	"*.services.*.build.secrets[]":                         {"source", "target", "uid", "gid", "mode"},
	"*.services.*.configs[]":                               {"source", "target", "uid", "gid", "mode"},
	"*.services.*.secrets[]":                               {"source", "target", "uid", "gid", "mode"},
	"*.services.*.depends_on.*":                            {"condition", "restart", "required"},
	"*.services.*.deploy":                                  {"mode", "replicas", "labels", "update_config", "rollback_config", "resources", "restart_policy", "placement", "endpoint_mode"},
	"*.services.*.deploy.placement":                        {"constraints", "preferences", "max_replicas_per_node"},
	"*.services.*.deploy.update_config":                    {"parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order"},
	"*.services.*.deploy.rollback_config":                  {"parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order"},
	"*.services.*.deploy.resources":                        {"limits", "reservations"},
	"*.services.*.deploy.resources.limits":                 {"cpus", "memory", "pids", "devices", "generic_resources"},
	"*.services.*.deploy.resources.reservations":           {"cpus", "memory", "pids", "devices", "generic_resources"},
	"*.services.*.deploy.resources.reservations.devices[]": {"capabilities", "driver", "count", "device_ids", "options"},
	"*.services.*.deploy.resources.limits.devices[]":       {"capabilities", "driver", "count", "device_ids", "options"},
	"*.services.*.gpus[]":                                  {"capabilities", "driver", "count", "device_ids", "options"},
	"*.services.*.deploy.restart_policy":                   {"condition", "delay", "max_attempts", "window"},
	"*.services.*.devices[]":                               {"source", "target", "permissions"},
	"*.services.*.healthcheck":                             {"test", "timeout", "interval", "retries", "start_period", "start_interval", "disable"},
	"*.services.*.ports[]":                                 {"name", "mode", "host_ip", "target", "published", "protocol", "app_protocol"},
	"*.services.*.ulimits.*":                               {"single", "soft", "hard"},
	"*.services.*.build.ulimits.*":                         {"single", "soft", "hard"},
	"*.services.*.volumes[]":                               {"type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image"},
	"*.services.*.volumes[].bind":                          {"selinux", "propagation", "create_host_path", "recursive"},
	"*.services.*.volumes[].volume":                        {"labels", "nocopy", "subpath"},
	"*.services.*.volumes[].tmpfs":                         {"size", "mode"},
	"*.services.*.volumes[].image":                         {"subpath"},
	"*.services.*.networks.*":                              {"aliases", "driver_opts", "gw_priority", "interface_name", "ipv4_address", "ipv6_address", "link_local_ips", "mac_address", "priority"},
	"*.services.*.logging":                                 {"driver", "options"},
	"*.services.*.develop":                                 {"watch"},
	"*.services.*.develop.watch[]":                         {"path", "action", "target", "exec", "include", "ignore", "initial_sync"},
	"*.services.*.develop.watch[].exec":                    {"command", "user", "privileged", "working_dir", "environment"},
	"*.services.*.env_file[]":                              {"path", "required", "format"},
	"*.services.*.extends":                                 {"file", "service"},
	"*.services.*.post_start[]":                            {"command", "user", "privileged", "working_dir", "environment"},
	"*.services.*.pre_stop[]":                              {"command", "user", "privileged", "working_dir", "environment"},
	"*.services.*.pre_start[]":                             containerSpecOrder,
	"*.services.*.provider":                                {"type", "options"},
	"*.services.*.blkio_config":                            {"weight", "weight_device", "device_read_bps", "device_read_iops", "device_write_bps", "device_write_iops"},
	"*.services.*.credential_spec":                         {"config", "file", "registry"},
	"*.services.*.models.*":                                {"endpoint_var", "model_var"},
	"*.services.*":                                         serviceOrder,
	"*.jobs.*":                                             jobOrder,
	"*.services.*.triggers":                                {"manual", "schedule"}, // a job's (see workloadContext)
	"*.services.*.triggers.schedule[]":                     {"cron", "timezone", "concurrency", "missed_fires"},
}

// containerSpecOrder is the order of a pre_start hook: compose-go's ContainerSpec
// fields (embedded first), then per_replica.
var containerSpecOrder = append([]string{"annotations", "blkio_config", "cap_add", "cap_drop", "cgroup_parent", "cgroup", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpus", "cpuset", "cpu_shares", "command", "configs", "credential_spec", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "environment", "env_file", "extra_hosts", "group_add", "gpus", "hostname", "image", "init", "ipc", "isolation", "labels", "label_file", "logging", "log_driver", "log_opt", "mem_limit", "mem_reservation", "memswap_limit", "mem_swappiness", "mac_address", "models", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "privileged", "pull_policy", "pull_refresh_after", "read_only", "runtime", "secrets", "security_opt", "shm_size", "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "ulimits", "use_api_socket", "user", "userns_mode", "uts", "volume_driver", "volumes", "volumes_from", "working_dir"}, "per_replica")

// serviceOrder is ServiceConfig's field order, with its embedded ContainerSpec and
// WorkloadSpec fields at their place.
var serviceOrder = []string{"profiles", "deploy", "develop", "restart", "scale", "attach", "container_name", "provider", "extends", "external_links", "links", "net", "pre_start", "post_start", "pre_stop", "annotations", "blkio_config", "cap_add", "cap_drop", "cgroup_parent", "cgroup", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpus", "cpuset", "cpu_shares", "command", "configs", "credential_spec", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "environment", "env_file", "extra_hosts", "group_add", "gpus", "hostname", "image", "init", "ipc", "isolation", "labels", "label_file", "logging", "log_driver", "log_opt", "mem_limit", "mem_reservation", "memswap_limit", "mem_swappiness", "mac_address", "models", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "privileged", "pull_policy", "pull_refresh_after", "read_only", "runtime", "secrets", "security_opt", "shm_size", "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "ulimits", "use_api_socket", "user", "userns_mode", "uts", "volume_driver", "volumes", "volumes_from", "working_dir", "build", "depends_on", "dockerfile", "expose", "healthcheck", "ports", "stdin_open", "tty"}

// mapContexts are the maps whose keys are names (services, networks, labels...).
var mapContexts = map[string]bool{
	"*.services": true, "*.networks": true, "*.volumes": true, "*.secrets": true, "*.configs": true,
	"*.services.*.depends_on": true, "*.services.*.networks": true, "*.services.*.ulimits": true,
	"*.models": true, "*.services.*.models": true, "*.services.*.build.ulimits": true, "*.jobs": true,
}

// encodeOrdered writes v as indented JSON with Compose's key order.
func encodeOrdered(buf *bytes.Buffer, v any, ctx, indent string) error {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			buf.WriteString("{}")
			return nil
		}
		keys := jsonKeys(x, ctx)
		if len(keys) == 0 {
			buf.WriteString("{}")
			return nil
		}
		buf.WriteString("{\n")
		for i, k := range keys {
			kb, _ := json.Marshal(jsonName(ctx, k))
			buf.WriteString(indent + "  ")
			buf.Write(kb)
			buf.WriteString(": ")
			child := ctx + "." + k
			if mapContexts[ctx] {
				child = ctx + ".*"
			}
			child = workloadContext(child)
			if err := encodeOrdered(buf, renderValue(ctx, k, x[k]), child, indent+"  "); err != nil {
				return err
			}
			if i < len(keys)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "}")
	case []any:
		if len(x) == 0 {
			buf.WriteString("[]")
			return nil
		}
		buf.WriteString("[\n")
		for i, e := range x {
			buf.WriteString(indent + "  ")
			if err := encodeOrdered(buf, e, ctx+"[]", indent+"  "); err != nil {
				return err
			}
			if i < len(x)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "]")
	default:
		b, err := json.Marshal(x) // escapes <, > and & as \u003c... as Compose's JSON does
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	return nil
}

// jsonKeys are the rendered keys of m (renderedKeys) less the x- extensions of a
// struct below the top level: compose-go's structs keep them for YAML only
// (json:"-"); name-keyed maps (labels, services...) keep every key.
func jsonKeys(m map[string]any, ctx string) []string {
	keys := renderedKeys(m, ctx)
	if keyOrders[ctx] == nil {
		return keys
	}
	out := keys[:0]
	for _, k := range keys {
		if !strings.HasPrefix(k, "x-") {
			out = append(out, k)
		}
	}
	return out
}

// jsonName is the key as Compose's JSON writes it: compose-go's blkio device structs
// have no JSON tags, so their fields print as Go names (Path, Weight, Rate).
func jsonName(ctx, key string) string {
	if strings.HasPrefix(ctx, "*.services.*.blkio_config.") && strings.HasSuffix(ctx, "[]") {
		switch key {
		case "path", "weight", "rate":
			return strings.ToUpper(key[:1]) + key[1:]
		}
	}
	return key
}

// renderedKeys are the keys of m in Compose's order, without those its output never
// holds (see renderOmits).
func renderedKeys(m map[string]any, ctx string) []string {
	return renderedKeysBy(m, ctx, func(a, b string) bool { return a < b })
}

// renderedKeysBy is renderedKeys with less ordering the keys a context does not rank.
func renderedKeysBy(m map[string]any, ctx string, less func(a, b string) bool) []string {
	keys := orderedKeys(m, ctx, less)
	out := keys[:0]
	for _, k := range keys {
		if !renderOmits(ctx, k, m[k]) {
			out = append(out, k)
		}
	}
	return out
}

// renderOmits reports a value Compose's outputs leave out although the model holds
// it: create_host_path: true of a bind (an opt-out field of compose-go, written only
// when false) and the zero values of compose-go's omitempty fields (omitEmpty).
func renderOmits(ctx, key string, v any) bool {
	if ctx == "*.services.*.volumes[].bind" && key == "create_host_path" && v == true {
		return true
	}
	return omitEmpty[ctx][key] && isZero(v)
}

// isZero reports a value encoding/json's omitempty leaves out.
func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case int:
		return x == 0
	case float64:
		return x == 0
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// renderValue is the value as Compose prints it: a secret's or config's mode, a
// number in the model, is written as an octal string ("0440").
func renderValue(ctx, key string, v any) any {
	if key == "mode" && fileRefContexts[ctx] {
		if n, ok := v.(int); ok {
			return fmt.Sprintf("0%o", n)
		}
	}
	return v
}

var fileRefContexts = map[string]bool{
	"*.services.*.secrets[]": true, "*.services.*.configs[]": true, "*.services.*.build.secrets[]": true,
}

// orderedKeys are the keys of m in the order of ctx's struct (keyOrders), the rest
// after them ordered by less.
func orderedKeys(m map[string]any, ctx string, less func(a, b string) bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	order := keyOrders[ctx]
	if order == nil {
		return keys
	}
	rank := func(k string) int {
		for i, o := range order {
			if o == k {
				return i
			}
		}
		return len(order)
	}
	sort.SliceStable(keys, func(i, j int) bool { return rank(keys[i]) < rank(keys[j]) })
	return keys
}

// JSON renders the model byte for byte as `docker compose config --format json` (v5)
// does: two-space indentation, Compose's key order, "<", ">" and "&" escaped as
// \u003c, \u003e and \u0026, no final newline, and
// (unless loaded with NoInterpolate) every "$" written "$$" so the output loads back
// to the same values.
func (p *Project) JSON() ([]byte, error) {
	var buf bytes.Buffer
	model := p.Model
	if _, ok := model["models"]; ok && !p.raw {
		// Compose's JSON (compose-go's Project.MarshalJSON) leaves out the models.
		model = make(map[string]any, len(p.Model))
		for k, v := range p.Model {
			if k != "models" {
				model[k] = v
			}
		}
	}
	if err := encodeOrdered(&buf, model, p.rootContext(), ""); err != nil {
		return nil, err
	}
	return p.escape(buf.Bytes()), nil
}

// escape doubles every "$" of rendered output when the project was interpolated.
func (p *Project) escape(out []byte) []byte {
	if !p.escapeDollars {
		return out
	}
	return bytes.ReplaceAll(out, []byte("$"), []byte("$$"))
}

// rootContext is the key-order context of the model's root: "*" for Compose's typed
// order, or one without orders (sorted keys) for the raw model of NoInterpolate.
func (p *Project) rootContext() string {
	if p.raw {
		return "raw"
	}
	return "*"
}
