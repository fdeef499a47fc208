package compose

import (
	"fmt"
	"strings"
)

// uniqueLists are a service's sequences in which Compose keeps one entry per key
// (compose-go's override.EnforceUnicity, run on every file as it is loaded): a later
// entry with the key of an earlier one replaces it, at the earlier one's place. Two
// volumes on one target, or a port written twice, leave one.
var uniqueLists = map[string]func(any) string{
	"ports": uniquePortKey, "expose": valueKey, "volumes": uniqueTargetKey(""),
	"devices": uniqueDeviceKey, "secrets": uniqueTargetKey("/run/secrets/"),
	"configs": uniqueTargetKey("/"), "env_file": uniqueEnvFileKey,
	"cap_add": valueKey, "cap_drop": valueKey, "dns": valueKey, "dns_opt": valueKey,
	"dns_search": valueKey, "links": valueKey, "profiles": valueKey, "tmpfs": valueKey,
	"annotations": valueKey, "labels": valueKey, "sysctls": valueKey, "environment": valueKey,
}

// enforceUnicity applies uniqueLists to svc, its build tags and its networks'
// aliases and link-local addresses.
func enforceUnicity(svc map[string]any) {
	for k, key := range uniqueLists {
		if list, ok := svc[k].([]any); ok {
			svc[k] = uniqueEntries(list, key)
		}
	}
	if b, ok := svc["build"].(map[string]any); ok {
		if list, ok := b["tags"].([]any); ok {
			b["tags"] = uniqueEntries(list, valueKey)
		}
	}
	nets, _ := svc["networks"].(map[string]any)
	for _, n := range nets {
		nm, _ := n.(map[string]any)
		for _, k := range []string{"aliases", "link_local_ips"} {
			if list, ok := nm[k].([]any); ok {
				nm[k] = uniqueEntries(list, valueKey)
			}
		}
	}
}

// uniqueEntries keeps one entry per key: the last entry for a key takes effect, at
// the place of the first one.
func uniqueEntries(list []any, key func(any) string) []any {
	out := make([]any, 0, len(list))
	at := map[string]int{}
	for _, e := range list {
		k := key(e)
		if i, ok := at[k]; ok {
			out[i] = e
			continue
		}
		at[k] = len(out)
		out = append(out, e)
	}
	return out
}

// uniquePortKey keys a long-syntax port by host address, published port, target and
// protocol (Compose's portIndexer, with its defaults 0.0.0.0 and tcp).
func uniquePortKey(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprint(v)
	}
	host, proto := "0.0.0.0", "tcp"
	if h, ok := m["host_ip"]; ok {
		host = fmt.Sprint(h)
	}
	if p, ok := m["protocol"]; ok {
		proto = fmt.Sprint(p)
	}
	return fmt.Sprintf("%s:%v:%v/%s", host, m["published"], m["target"], proto)
}

// uniqueTargetKey keys a mount by its target or, when it has none, by prefix and
// source (a secret's default target is /run/secrets/<source>).
func uniqueTargetKey(prefix string) func(any) string {
	return func(v any) string {
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Sprint(v)
		}
		if t, ok := m["target"]; ok && t != nil {
			return fmt.Sprint(t)
		}
		return prefix + fmt.Sprint(m["source"])
	}
}

// uniqueEnvFileKey keys an env_file entry by its path.
func uniqueEnvFileKey(v any) string {
	if m, ok := v.(map[string]any); ok {
		return fmt.Sprint(m["path"])
	}
	return fmt.Sprint(v)
}

// uniqueDeviceKey keys a device by its path in the container ("src:dst[:perms]").
func uniqueDeviceKey(v any) string {
	if str, ok := v.(string); ok {
		parts := strings.Split(str, ":")
		if len(parts) > 1 {
			return parts[1]
		}
		return parts[0]
	}
	return uniqueTargetKey("")(v)
}
