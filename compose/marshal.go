package compose

import (
	"bytes"
	"encoding/json"
	"sort"
)

// keyOrders gives, per model context, the key order of Compose's structs (compose-go
// field order). Contexts use "*" for a map entry and "[]" for a list item. Keys a
// context does not list, and maps with no context, come alphabetically after.
var keyOrders = map[string][]string{
	"*.configs.*":                                {"name", "file", "environment", "content", "external", "labels"},
	"*.secrets.*":                                {"name", "file", "environment", "content", "external", "labels"},
	"*.networks.*":                               {"name", "driver", "driver_opts", "ipam", "external", "internal", "attachable", "labels", "enable_ipv6"},
	"*.networks.*.ipam":                          {"driver", "config", "options"},
	"*.networks.*.ipam.config[]":                 {"subnet", "gateway", "ip_range", "aux_addresses"},
	"*.volumes.*":                                {"name", "driver", "driver_opts", "external", "labels"},
	"*.services.*":                               serviceOrder,
	"*.services.*.build":                         {"context", "dockerfile", "dockerfile_inline", "entitlements", "args", "ssh", "labels", "cache_from", "cache_to", "no_cache", "additional_contexts", "network", "pull", "target", "shm_size", "extra_hosts", "isolation", "privileged", "secrets", "tags", "ulimits", "platforms"},
	"*.services.*.build.secrets[]":               {"source", "target", "uid", "gid", "mode"},
	"*.services.*.configs[]":                     {"source", "target", "uid", "gid", "mode"},
	"*.services.*.secrets[]":                     {"source", "target", "uid", "gid", "mode"},
	"*.services.*.depends_on.*":                  {"condition", "restart", "required"},
	"*.services.*.deploy":                        {"mode", "replicas", "labels", "update_config", "rollback_config", "resources", "restart_policy", "placement", "endpoint_mode"},
	"*.services.*.deploy.placement":              {"constraints", "preferences", "max_replicas_per_node"},
	"*.services.*.deploy.update_config":          {"parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order"},
	"*.services.*.deploy.rollback_config":        {"parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order"},
	"*.services.*.deploy.resources.limits":       {"cpus", "memory", "pids", "devices", "generic_resources"},
	"*.services.*.deploy.resources.reservations": {"cpus", "memory", "pids", "devices", "generic_resources"},
	"*.services.*.deploy.restart_policy":         {"condition", "delay", "max_attempts", "window"},
	"*.services.*.devices[]":                     {"source", "target", "permissions"},
	"*.services.*.healthcheck":                   {"test", "timeout", "interval", "retries", "start_period", "start_interval", "disable"},
	"*.services.*.ports[]":                       {"name", "mode", "host_ip", "target", "published", "protocol", "app_protocol"},
	"*.services.*.ulimits.*":                     {"single", "soft", "hard"},
	"*.services.*.volumes[]":                     {"type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image"},
	"*.services.*.volumes[].bind":                {"propagation", "create_host_path", "selinux"},
	"*.services.*.networks.*":                    {"aliases", "ipv4_address", "ipv6_address", "link_local_ips", "mac_address", "driver_opts", "priority"},
	"*.services.*.logging":                       {"driver", "options"},
}

// serviceOrder is alphabetical except where compose-go's struct order differs.
var serviceOrder = []string{"hostname", "healthcheck"}

// mapContexts are the maps whose keys are names (services, networks, labels...).
var mapContexts = map[string]bool{
	"*.services": true, "*.networks": true, "*.volumes": true, "*.secrets": true, "*.configs": true,
	"*.services.*.depends_on": true, "*.services.*.networks": true, "*.services.*.ulimits": true,
}

// encodeOrdered writes v as indented JSON with Compose's key order.
func encodeOrdered(buf *bytes.Buffer, v any, ctx, indent string) error {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			buf.WriteString("{}")
			return nil
		}
		keys := orderedKeys(x, ctx)
		buf.WriteString("{\n")
		for i, k := range keys {
			kb, _ := json.Marshal(k)
			buf.WriteString(indent + "  ")
			buf.Write(kb)
			buf.WriteString(": ")
			child := ctx + "." + k
			if mapContexts[ctx] {
				child = ctx + ".*"
			}
			if err := encodeOrdered(buf, x[k], child, indent+"  "); err != nil {
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
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(x); err != nil {
			return err
		}
		buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	}
	return nil
}

func orderedKeys(m map[string]any, ctx string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
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
	if ctx == "*.services.*" {
		sort.SliceStable(keys, func(i, j int) bool {
			return keys[i] == "hostname" && keys[j] == "healthcheck"
		})
		return keys
	}
	sort.SliceStable(keys, func(i, j int) bool { return rank(keys[i]) < rank(keys[j]) })
	return keys
}

// JSON renders the model as `docker compose config --format json` does: two-space
// indentation, Compose's key order, HTML characters not escaped, a final newline, and
// (unless loaded with NoInterpolate) every "$" written "$$" so the output loads back
// to the same values.
func (p *Project) JSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := encodeOrdered(&buf, p.Model, p.rootContext(), ""); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
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
