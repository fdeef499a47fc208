package compose

import (
	"encoding/json"
	"sort"
	"strings"
)

// decodeTyped fills the typed view (Services, Networks, ...) from Model. A value the
// typed model cannot hold is reported at its position.
func (p *Project) decodeTyped(errs *ErrorList) {
	p.Services = map[string]ServiceConfig{}
	for name, svc := range p.ServiceModels() {
		var s ServiceConfig
		path := "services." + name
		if decodeInto(p, errs, path, svc, &s) {
			s.Name = name
			s.Extensions = extensionsOf(svc)
			p.Services[name] = s
		}
	}
	p.Networks = decodeTop[NetworkConfig](p, errs, "networks", func(c *NetworkConfig, m map[string]any) { c.Extensions = extensionsOf(m) })
	p.Volumes = decodeTop[VolumeConfig](p, errs, "volumes", func(c *VolumeConfig, m map[string]any) { c.Extensions = extensionsOf(m) })
	p.Secrets = decodeTop[SecretConfig](p, errs, "secrets", func(c *SecretConfig, m map[string]any) { c.Extensions = extensionsOf(m) })
	p.Configs = decodeTop[ConfigObjConfig](p, errs, "configs", func(c *ConfigObjConfig, m map[string]any) { c.Extensions = extensionsOf(m) })
	p.Extensions = extensionsOf(p.Model)
}

func decodeTop[T any](p *Project, errs *ErrorList, kind string, ext func(*T, map[string]any)) map[string]T {
	out := map[string]T{}
	all, _ := p.Model[kind].(map[string]any)
	for name, v := range all {
		m, _ := v.(map[string]any)
		var c T
		if decodeInto(p, errs, kind+"."+name, m, &c) {
			ext(&c, m)
			out[name] = c
		}
	}
	return out
}

// decodeInto decodes a model map into a typed value through JSON, the encoding both
// views share. It reports failure at path's position.
func decodeInto(p *Project, errs *ErrorList, path string, m map[string]any, dst any) bool {
	data, err := json.Marshal(withoutExtensions(m))
	if err == nil {
		err = json.Unmarshal(data, dst)
	}
	if err != nil {
		field := path
		var te *json.UnmarshalTypeError
		if asTypeError(err, &te) && te.Field != "" {
			field = path + "." + te.Field
		}
		errs.Add(posOf(p.Positions, field), field, "cannot be represented in the typed model: %s", strings.TrimPrefix(err.Error(), "json: "))
		return false
	}
	return true
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}

func withoutExtensions(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !strings.HasPrefix(k, "x-") {
			out[k] = v
		}
	}
	return out
}

func extensionsOf(m map[string]any) Extensions {
	var out Extensions
	for k, v := range m {
		if strings.HasPrefix(k, "x-") {
			if out == nil {
				out = Extensions{}
			}
			out[k] = v
		}
	}
	return out
}

// ServiceNames returns the sorted service names.
func (p *Project) ServiceNames() []string {
	names := make([]string, 0, len(p.Services))
	for n := range p.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// modelServiceNames returns the sorted service names of Model (the typed view is not
// decoded yet while the project is being finalized).
func (p *Project) modelServiceNames() []string {
	names := []string{}
	for n := range p.ServiceModels() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
