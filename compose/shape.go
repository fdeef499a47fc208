package compose

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// shaper rewrites a service's short syntaxes into the long form, per file, so files
// can be merged key by key. Problems go to errs with the position of the field.
type shaper struct {
	pos  map[string]Position
	errs *ErrorList
	dir  string
	home string // $HOME, for "~" in paths
}

func (s *shaper) fail(path, format string, args ...any) {
	s.errs.Add(posOf(s.pos, path), path, format, args...)
}

func (s *shaper) service(name string, svc map[string]any) {
	base := "services." + name
	var overridden []string
	for k, v := range svc {
		if o, ok := v.(override); ok {
			svc[k] = o.v
			overridden = append(overridden, k)
		}
	}
	defer func() {
		for _, k := range overridden {
			svc[k] = override{svc[k]}
		}
	}()
	for _, k := range []string{"environment", "labels", "sysctls", "annotations"} {
		if v, ok := svc[k]; ok {
			svc[k] = s.toMap(base+"."+k, v, k == "environment")
		}
	}
	if v, ok := svc["extra_hosts"]; ok {
		svc["extra_hosts"] = s.extraHosts(base+".extra_hosts", v)
	}
	for _, k := range []string{"command", "entrypoint"} {
		if str, ok := svc[k].(string); ok {
			svc[k] = shellSplit(str)
		}
	}
	if hc, ok := svc["healthcheck"].(map[string]any); ok {
		if str, ok := hc["test"].(string); ok {
			hc["test"] = []any{"CMD-SHELL", str}
		}
	}
	if b, ok := svc["build"].(string); ok {
		svc["build"] = map[string]any{"context": b}
	}
	if b, ok := svc["build"].(map[string]any); ok {
		if ctx, ok := b["context"].(string); ok && !strings.Contains(ctx, "://") {
			b["context"] = s.abs(ctx)
		}
	}
	if v, ok := svc["ports"].([]any); ok {
		svc["ports"] = s.ports(base+".ports", v)
	}
	if v, ok := svc["volumes"].([]any); ok {
		for i, e := range v {
			v[i] = s.volume(fmt.Sprintf("%s.volumes[%d]", base, i), e)
		}
	}
	for _, k := range []string{"secrets", "configs"} {
		if v, ok := svc[k].([]any); ok {
			for i, e := range v {
				if str, ok := e.(string); ok {
					v[i] = map[string]any{"source": str}
				}
			}
		}
	}
	if v, ok := svc["networks"].([]any); ok {
		m := map[string]any{}
		for i, n := range v {
			m[fmt.Sprint(n)] = nil
			s.pos[fmt.Sprintf("%s.networks.%v", base, n)] = s.pos[fmt.Sprintf("%s.networks[%d]", base, i)]
		}
		svc["networks"] = m
	}
	if v, ok := svc["depends_on"].([]any); ok {
		m := map[string]any{}
		for i, n := range v {
			m[fmt.Sprint(n)] = map[string]any{}
			s.pos[fmt.Sprintf("%s.depends_on.%v", base, n)] = s.pos[fmt.Sprintf("%s.depends_on[%d]", base, i)]
		}
		svc["depends_on"] = m
	}
	if v, ok := svc["env_file"]; ok {
		svc["env_file"] = s.envFiles(v)
	}
	if v, ok := svc["expose"].([]any); ok {
		for i, e := range v {
			v[i] = fmt.Sprint(e)
		}
	}
}

// toMap turns a list of KEY=VALUE (or KEY) into a map; withNil keeps bare keys as nil.
func (s *shaper) toMap(path string, v any, withNil bool) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e != nil {
				x[k] = scalarString(e)
			}
		}
		return x
	case []any:
		m := map[string]any{}
		for i, e := range x {
			str, ok := e.(string)
			if !ok {
				s.fail(fmt.Sprintf("%s[%d]", path, i), "must be a string KEY=VALUE, got %v", e)
				continue
			}
			k, val, has := strings.Cut(str, "=")
			switch {
			case has:
				m[k] = val
			case withNil:
				m[k] = nil
			default:
				m[k] = ""
			}
		}
		return m
	case nil:
		return map[string]any{}
	}
	s.fail(path, "must be a mapping or a list of KEY=VALUE, got %v", v)
	return v
}

func (s *shaper) extraHosts(path string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := []any{}
		for k, e := range x {
			out = append(out, k+"="+fmt.Sprint(e))
		}
		return out
	case []any:
		for i, e := range x {
			str := fmt.Sprint(e)
			if !strings.Contains(str, "=") {
				str = strings.Replace(str, ":", "=", 1)
			}
			x[i] = str
		}
		return x
	}
	s.fail(path, "must be a mapping or a list, got %v", v)
	return v
}

func (s *shaper) envFiles(v any) []any {
	var list []any
	switch x := v.(type) {
	case string:
		list = []any{x}
	case []any:
		list = x
	}
	out := make([]any, 0, len(list))
	for _, e := range list {
		switch x := e.(type) {
		case string:
			out = append(out, map[string]any{"path": s.abs(x), "required": true})
		case map[string]any:
			if p, ok := x["path"].(string); ok {
				x["path"] = s.abs(p)
			}
			if _, ok := x["required"]; !ok {
				x["required"] = true
			}
			out = append(out, x)
		}
	}
	return out
}

func (s *shaper) abs(p string) string {
	if s.home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return filepath.Join(s.home, p[1:])
	}
	if strings.HasPrefix(p, "~") || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.dir, p)
}

func scalarString(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// shellSplit splits a command like a POSIX shell would (quotes and backslashes).
func shellSplit(s string) []any {
	out := []any{}
	var cur strings.Builder
	inWord, quote := false, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\\' && quote == '"' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
				i++
				cur.WriteByte(s[i])
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}
