package compose

import (
	"fmt"
	"strings"
)

// replacedLists are service sequences that a later file replaces instead of appending to
// (compose-spec 13-merge.md).
var replacedLists = map[string]bool{"command": true, "entrypoint": true, "healthcheck.test": true}

// keyedLists are service sequences merged on a key: a later entry with the same key
// replaces the earlier one.
var keyedLists = map[string]func(any) string{
	"ports":      portKey,
	"volumes":    targetKey,
	"secrets":    targetKey,
	"configs":    targetKey,
	"cap_add":    valueKey,
	"cap_drop":   valueKey,
	"dns":        valueKey,
	"dns_opt":    valueKey,
	"dns_search": valueKey,
	"links":      valueKey,
	"profiles":   valueKey,
	"tmpfs":      valueKey,
	"build.tags": valueKey,
	"devices":    targetKey,
	"expose":     valueKey,
}

// valueKey keys a "name=value" (or plain) list entry by its name, as Compose's
// merge makes such lists unique.
func valueKey(v any) string {
	k, _, _ := strings.Cut(fmt.Sprint(v), "=")
	return k
}

// merge folds src over dst following the compose-spec merge rules. field is the path
// inside a service ("" outside services), used to pick the sequence rule.
func merge(dst, src any, field string) any {
	if o, ok := src.(override); ok {
		return o.v
	}
	switch s := src.(type) {
	case map[string]any:
		d, ok := dst.(map[string]any)
		if !ok {
			return stripMarkers(s)
		}
		for k, v := range s {
			if _, isReset := v.(reset); isReset {
				delete(d, k)
				continue
			}
			d[k] = merge(d[k], v, joinPath(field, k))
		}
		return d
	case []any:
		d, ok := dst.([]any)
		if !ok || replacedLists[field] {
			return s
		}
		if key := keyedLists[field]; key != nil {
			return mergeKeyed(d, s, key)
		}
		return append(d, s...)
	}
	return src
}

func stripMarkers(m map[string]any) map[string]any {
	for k, v := range m {
		switch x := v.(type) {
		case reset:
			delete(m, k)
		case override:
			m[k] = x.v
		}
	}
	return m
}

func mergeKeyed(dst, src []any, key func(any) string) []any {
	index := map[string]int{}
	for i, v := range dst {
		index[key(v)] = i
	}
	for _, v := range src {
		if i, ok := index[key(v)]; ok {
			dst[i] = v
			continue
		}
		index[key(v)] = len(dst)
		dst = append(dst, v)
	}
	return dst
}

func portKey(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprint(v)
	}
	return fmt.Sprint(m["host_ip"], "/", m["target"], "/", m["published"], "/", m["protocol"])
}

func targetKey(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprint(v)
	}
	if t, ok := m["target"]; ok && t != nil {
		return fmt.Sprint(t)
	}
	return fmt.Sprint(m["source"])
}
