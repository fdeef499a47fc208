package compose

import (
	"fmt"
	"net"
	"strings"
)

// validate makes the checks of compose-go's validation package over the whole model,
// services of disabled profiles and unused resources included, as Compose makes them
// before it selects anything: a port's host_ip is an IP address, and a secret or config
// names exactly one source (file or environment; content too for a config) unless it is
// external or (a config) has a driver.
func (f *finalizer) validate() {
	svcs, _ := f.p.Model["services"].(map[string]any)
	for name, s := range svcs {
		svc, _ := s.(map[string]any)
		ports, _ := svc["ports"].([]any)
		for i, p := range ports {
			pm, _ := p.(map[string]any)
			ip, ok := pm["host_ip"]
			if !ok {
				continue
			}
			if str, _ := ip.(string); net.ParseIP(str) == nil {
				f.fail(fmt.Sprintf("services.%s.ports[%d].host_ip", name, i), "invalid ip address %q", fmt.Sprint(ip))
			}
		}
	}
	f.checkSources("secrets", "file", "environment")
	f.checkSources("configs", "file", "environment", "content")
}

// checkSources checks the sources of the top-level secrets or configs (kind).
func (f *finalizer) checkSources(kind string, keys ...string) {
	top, _ := f.p.Model[kind].(map[string]any)
	for name, v := range top {
		m, _ := v.(map[string]any)
		count := 0
		for _, k := range keys {
			if _, ok := m[k]; ok {
				count++
			}
		}
		switch {
		case count > 1:
			f.fail(kind+"."+name, "%s attributes are mutually exclusive", strings.Join(keys, "|"))
		case count == 0 && !hasKey(m, "driver") && !hasKey(m, "external"):
			f.fail(kind+"."+name, "one of %s must be set", strings.Join(keys, "|"))
		case kind == "secrets" && m["external"] != true && stringAt(m, "file") == "" && stringAt(m, "environment") == "":
			// Compose's consistency check: a driver is no source of a secret's content
			f.fail(kind+"."+name, "secret %q must declare either `file` or `environment`", name)
		}
	}
}

// stringAt is m[k] when it is a string, else "".
func stringAt(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}
