package compose

import (
	"bytes"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v4"
)

// YAML renders the model as `docker compose config` does, with the same key order as
// JSON, "$" escaped as in JSON.
func (p *Project) YAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(yamlNode(withJobNames(p.withServiceExtensions()), p.rootContext())); err != nil {
		return nil, fmt.Errorf("render yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("render yaml: %w", err)
	}
	return p.escape(buf.Bytes()), nil
}

func yamlNode(v any, ctx string) *yaml.Node {
	switch x := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := renderedKeysBy(x, ctx, yamlKeyLess)
		if ctx == "*" {
			keys = topLevelYAMLOrder(keys)
		}
		for _, k := range keys {
			child := ctx + "." + k
			if mapContexts[ctx] {
				child = ctx + ".*"
			}
			child = workloadContext(child)
			if omitInYAML(ctx, k, x[k]) {
				continue
			}
			n.Content = append(n.Content, stringNode(k), yamlNode(renderValue(ctx, k, x[k]), child))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range x {
			n.Content = append(n.Content, yamlNode(e, ctx+"[]"))
		}
		return n
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(x)}
	case float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(x, 'f', -1, 64)}
	}
	return stringNode(fmt.Sprint(v))
}

// stringNode lets the encoder pick the style of a string (key or value) as for a Go
// value: Compose's YAML quotes "yes", "n", "0444"... that YAML 1.1 reads otherwise.
func stringNode(s string) *yaml.Node {
	n := &yaml.Node{}
	if err := n.Encode(s); err != nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	}
	return n
}

// omitInYAML reports the fields Compose's YAML leaves out: nulls of struct fields
// (a name-keyed map such as a service's networks keeps them) and zero structs.
func omitInYAML(ctx, key string, v any) bool {
	if mapContexts[ctx] || keyOrders[ctx] == nil && ctx != "*" {
		return false
	}
	if v == nil {
		return true
	}
	m, isMap := v.(map[string]any)
	return isMap && yamlOmitsEmpty[key] && allNil(m)
}

// yamlOmitsEmpty are the struct (not pointer) fields of compose-go that its YAML
// leaves out when zero: a network's ipam, deploy's resources and placement, a watch
// rule's exec.
var yamlOmitsEmpty = map[string]bool{"ipam": true, "resources": true, "placement": true, "exec": true}

// allNil reports whether every value of m is nil (true for an empty map).
func allNil(m map[string]any) bool {
	for _, v := range m {
		if v != nil {
			return false
		}
	}
	return true
}

// topLevelYAMLOrder puts the top-level keys in the order of Compose's YAML.
func topLevelYAMLOrder(keys []string) []string {
	order := []string{"name", "services", "jobs", "networks", "volumes", "secrets", "configs", "models"}
	var out []string
	for _, k := range order {
		for _, have := range keys {
			if have == k {
				out = append(out, k)
			}
		}
	}
	for _, k := range keys {
		found := false
		for _, o := range order {
			found = found || o == k
		}
		if !found {
			out = append(out, k)
		}
	}
	return out
}

// withServiceExtensions is the model with the services' x- keys put back (Compose's
// YAML prints them, after the service's other keys); the model itself is not changed.
func (p *Project) withServiceExtensions() map[string]any {
	svcs, _ := p.Model["services"].(map[string]any)
	if len(p.serviceExt) == 0 || svcs == nil {
		return p.Model
	}
	model := make(map[string]any, len(p.Model))
	for k, v := range p.Model {
		model[k] = v
	}
	out := make(map[string]any, len(svcs))
	for name, v := range svcs {
		svc, ok := v.(map[string]any)
		if !ok || len(p.serviceExt[name]) == 0 {
			out[name] = v
			continue
		}
		copied := make(map[string]any, len(svc)+len(p.serviceExt[name]))
		for k, e := range svc {
			copied[k] = e
		}
		for k, e := range p.serviceExt[name] {
			copied[k] = e
		}
		out[name] = copied
	}
	model["services"] = out
	return model
}
