package compose

import (
	"fmt"
	"path/filepath"
	"slices"
)

// fileLoader reads compose files (the main ones, extended and included ones) into
// shaped models, sharing positions and the error list.
type fileLoader struct {
	opts  Options
	env   map[string]string
	pos   map[string]Position
	errs  *ErrorList
	stack []string // files being included, to find include cycles
}

// load reads one file, shaped with relative paths resolved against dir.
func (l *fileLoader) load(file, dir string) map[string]any {
	data, err := readFile(file, l.opts.Stdin)
	if err != nil {
		l.errs.Add(Position{File: file}, "", "%s", err)
		return nil
	}
	name := file
	if file == "-" {
		name = "<stdin>"
	}
	d := &decoder{file: name, lookup: func(n string) (string, bool) { v, ok := l.env[n]; return v, ok }, pos: l.pos, errs: l.errs}
	if l.opts.NoInterpolate {
		d.lookup = nil
	}
	m := d.parseFile(data)
	if m == nil {
		return nil
	}
	sh := &shaper{pos: l.pos, errs: l.errs, dir: dir, home: l.env["HOME"]}
	svcs, _ := m["services"].(map[string]any)
	for n, s := range svcs {
		if sm, ok := s.(map[string]any); ok {
			sh.service(n, sm)
		}
	}
	for n := range svcs {
		l.extend(name, dir, svcs, n, nil)
	}
	l.include(name, dir, m)
	return m
}

// extend resolves services[name].extends in place; chain detects extends cycles.
func (l *fileLoader) extend(file, dir string, svcs map[string]any, name string, chain []string) {
	svc, ok := svcs[name].(map[string]any)
	if !ok {
		return
	}
	ext, ok := svc["extends"]
	if !ok {
		return
	}
	delete(svc, "extends")
	path := "services." + name + ".extends"
	var baseName, baseFile string
	switch x := ext.(type) {
	case string:
		baseName = x
	case map[string]any:
		baseName, _ = x["service"].(string)
		baseFile, _ = x["file"].(string)
	}
	if slices.Contains(chain, file+"#"+name) {
		l.errs.Add(posOf(l.pos, path), path, "extends cycle through service %q", name)
		return
	}
	chain = append(chain, file+"#"+name)
	var base any
	if baseFile == "" {
		l.extend(file, dir, svcs, baseName, chain)
		base = svcs[baseName]
	} else {
		if !filepath.IsAbs(baseFile) {
			baseFile = filepath.Join(dir, baseFile)
		}
		other := l.load(baseFile, filepath.Dir(baseFile))
		osvcs, _ := other["services"].(map[string]any)
		base = osvcs[baseName]
	}
	bm, ok := base.(map[string]any)
	if !ok {
		l.errs.Add(posOf(l.pos, path), path, "extends: service %q not found", baseName)
		return
	}
	merged := deepCopy(bm).(map[string]any)
	delete(merged, "depends_on")
	svcs[name] = mergeService(merged, svc)
}

// include loads the files of the top-level include list into m (entries already
// defined in m win, as they do in Compose).
func (l *fileLoader) include(file, dir string, m map[string]any) {
	list, _ := m["include"].([]any)
	delete(m, "include")
	for i, e := range list {
		path := fmt.Sprintf("include[%d]", i)
		var paths []any
		incDir := ""
		switch x := e.(type) {
		case string:
			paths = []any{x}
		case map[string]any:
			switch p := x["path"].(type) {
			case string:
				paths = []any{p}
			case []any:
				paths = p
			}
			incDir, _ = x["project_directory"].(string)
		}
		for _, p := range paths {
			f := fmt.Sprint(p)
			if !filepath.IsAbs(f) {
				f = filepath.Join(dir, f)
			}
			if slices.Contains(l.stack, f) {
				l.errs.Add(posOf(l.pos, path), path, "include cycle: %s includes %s", file, f)
				continue
			}
			d := filepath.Dir(f)
			if incDir != "" {
				d = filepath.Join(dir, incDir)
			}
			l.stack = append(l.stack, f)
			inc := l.load(f, d)
			l.stack = l.stack[:len(l.stack)-1]
			for _, kind := range []string{"services", "networks", "volumes", "secrets", "configs"} {
				src, _ := inc[kind].(map[string]any)
				if len(src) == 0 {
					continue
				}
				dst, _ := m[kind].(map[string]any)
				if dst == nil {
					dst = map[string]any{}
					m[kind] = dst
				}
				for k, v := range src {
					if _, ok := dst[k]; !ok {
						dst[k] = v
					}
				}
			}
		}
	}
}

// deepCopy copies maps and slices so a base service can be extended more than once.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// stripAll removes leftover !reset and !override markers everywhere.
func stripAll(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if _, ok := e.(reset); ok {
				delete(x, k)
				continue
			}
			x[k] = stripAll(e)
		}
	case []any:
		for i, e := range x {
			x[i] = stripAll(e)
		}
	case override:
		return stripAll(x.v)
	}
	return v
}
