package compose

import (
	"fmt"
	"os"
	"strings"

	"github.com/berth-dev/berth/compose/interp"
)

// parseDotEnv reads KEY=VALUE lines as Compose's .env files: comments, `export`,
// single quotes (literal), double quotes (escapes and interpolation), unquoted values
// (interpolation, trailing " #comment" dropped). lookup resolves ${VAR} in values;
// variables defined earlier in the file are visible to later lines.
func parseDotEnv(file string, data string, lookup interp.LookupFunc) (map[string]string, error) {
	out := map[string]string{}
	local := func(n string) (string, bool) {
		if v, ok := out[n]; ok {
			return v, true
		}
		if lookup != nil {
			return lookup(n)
		}
		return "", false
	}
	for i, line := range strings.Split(strings.ReplaceAll(data, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		key, val, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if key == "" || strings.ContainsAny(key, " \t") {
			return nil, &Error{Pos: Position{File: file, Line: i + 1, Column: 1}, Msg: fmt.Sprintf("invalid variable line %q", line)}
		}
		if !ok {
			if v, set := local(key); set {
				out[key] = v
			}
			continue
		}
		v, err := dotEnvValue(strings.TrimSpace(val), local)
		if err != nil {
			return nil, &Error{Pos: Position{File: file, Line: i + 1, Column: len(key) + 2}, Path: key, Msg: err.Error()}
		}
		out[key] = v
	}
	return out, nil
}

func dotEnvValue(v string, lookup interp.LookupFunc) (string, error) {
	switch {
	case strings.HasPrefix(v, "'"):
		if end := strings.Index(v[1:], "'"); end >= 0 {
			return v[1 : end+1], nil
		}
		return v[1:], nil
	case strings.HasPrefix(v, `"`):
		end := 1
		for end < len(v) && (v[end] != '"' || v[end-1] == '\\') {
			end++
		}
		inner := v[1:min(end, len(v))]
		inner = strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\"`, `"`, `\\`, `\`).Replace(inner)
		return interp.Substitute(inner, lookup)
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return interp.Substitute(v, lookup)
}

// readEnvFiles loads env files in order, later files winning; each file sees the
// variables of the process environment and of earlier files.
func readEnvFiles(files []string, environ map[string]string, required bool) (map[string]string, error) {
	out := map[string]string{}
	lookup := func(n string) (string, bool) {
		if v, ok := environ[n]; ok {
			return v, true
		}
		v, ok := out[n]
		return v, ok
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			if !required && os.IsNotExist(err) {
				continue
			}
			return nil, fmt.Errorf("read env file %s: %w", f, err)
		}
		vars, err := parseDotEnv(f, string(data), lookup)
		if err != nil {
			return nil, err
		}
		for k, v := range vars {
			out[k] = v
		}
	}
	return out, nil
}
