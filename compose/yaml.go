package compose

import (
	"bytes"
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// YAML renders the model as `docker compose config` does, with the same key order as
// JSON, "$" escaped as in JSON.
func (p *Project) YAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(yamlNode(p.Model, p.rootContext())); err != nil {
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
		keys := orderedKeys(x, ctx)
		if ctx == "*" {
			keys = topLevelYAMLOrder(keys)
		}
		for _, k := range keys {
			child := ctx + "." + k
			if mapContexts[ctx] {
				child = ctx + ".*"
			}
			if omitInYAML(ctx, k, x[k]) {
				continue
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, yamlNode(x[k], child))
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
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprint(v)}
}

// omitInYAML reports the fields Compose's YAML leaves out: nulls of struct fields
// (a name-keyed map such as a service's networks keeps them) and an empty ipam.
func omitInYAML(ctx, key string, v any) bool {
	if mapContexts[ctx] || keyOrders[ctx] == nil && ctx != "*" {
		return false
	}
	if v == nil {
		return true
	}
	m, isMap := v.(map[string]any)
	return key == "ipam" && isMap && len(m) == 0
}

// topLevelYAMLOrder puts the top-level keys in the order of Compose's YAML.
func topLevelYAMLOrder(keys []string) []string {
	order := []string{"name", "services", "networks", "volumes", "secrets", "configs"}
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
