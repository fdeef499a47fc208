package compose

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
)

// fileLoader reads compose files (the main ones, extended and included ones) into
// shaped models, sharing positions and the error list.
type fileLoader struct {
	opts  Options
	env   map[string]string
	pos   map[string]Position
	errs  *ErrorList
	warns *[]Warning
	stack []string // files being included, to find include cycles
	// schemaErrs are the schema's findings, added to errs at the end where they say
	// more than berth's own checks (addSchemaErrors).
	schemaErrs *ErrorList
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
	d := &decoder{file: name, lookup: func(n string) (string, bool) { v, ok := l.env[n]; return v, ok }, pos: l.pos, errs: l.errs, warns: l.warns}
	if l.opts.NoInterpolate {
		d.lookup = nil
	}
	m := d.parseFile(data)
	if m == nil {
		return nil
	}
	checkSchema(m, l.pos, l.schemaErrs)
	sh := &shaper{pos: l.pos, errs: l.errs, warns: l.warns, dir: dir, home: l.env["HOME"], noPaths: l.opts.NoResolvePaths}
	svcs, _ := m["services"].(map[string]any)
	for n, s := range svcs {
		if sm, ok := s.(map[string]any); ok {
			sh.service(n, sm)
		}
	}
	for n := range svcs {
		l.extend(name, dir, svcs, n, nil)
	}
	shapeJobs(sh, m)
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
		delete(svc, "extends")
		cycle := make([]string, 0, len(chain)+1)
		for _, c := range chain {
			_, n, _ := strings.Cut(c, "#")
			cycle = append(cycle, n)
		}
		l.errs.Add(posOf(l.pos, path), path, "extends cycle: %s -> %s", strings.Join(cycle, " -> "), name)
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
	delete(svc, "extends")
	bm, ok := base.(map[string]any)
	if !ok {
		l.errs.Add(posOf(l.pos, path), path, "extends: service %q not found", baseName)
		return
	}
	merged := deepCopy(bm).(map[string]any)
	svcs[name] = mergeService(merged, svc)
}

// include loads the files of the top-level include list into m. The paths of one
// entry are merged in order, interpolated with the entry's env_file (under the process
// environment); a resource both imported and defined in m must be the same in both,
// as Compose requires.
func (l *fileLoader) include(file, dir string, m map[string]any) {
	list, _ := m["include"].([]any)
	delete(m, "include")
	for i, e := range list {
		path := fmt.Sprintf("include[%d]", i)
		paths, incDir, envFiles := includeEntry(e)
		sub := *l
		if len(envFiles) > 0 {
			sub.env = l.includeEnv(path, dir, envFiles)
		}
		// The included files record positions under the same paths: keep those of
		// this file's own resources for conflict errors.
		own := map[string]Position{}
		for _, kind := range []string{"services", "networks", "volumes", "secrets", "configs"} {
			defined, _ := m[kind].(map[string]any)
			for k := range defined {
				own[kind+"."+k] = posOf(l.pos, kind+"."+k)
			}
		}
		var inc map[string]any
		incProject := ""
		for _, p := range paths {
			f := p
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
			if incProject == "" {
				incProject = d
			}
			sub.stack = append(slices.Clone(l.stack), f)
			if one := sub.load(f, d); one != nil {
				inc = mergeModel(inc, one)
			}
		}
		defaultBuildContexts(inc, incProject)
		l.importResources(path, own, m, inc)
	}
}

// includeEntry reads an include entry: its paths, project_directory and env files.
func includeEntry(e any) (paths []string, dir string, envFiles []string) {
	switch x := e.(type) {
	case string:
		return []string{x}, "", nil
	case map[string]any:
		dir, _ = x["project_directory"].(string)
		return stringOrList(x["path"]), dir, stringOrList(x["env_file"])
	}
	return nil, "", nil
}

func stringOrList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// includeEnv is the interpolation environment of an included file: its env files,
// under the process environment.
func (l *fileLoader) includeEnv(path, dir string, files []string) map[string]string {
	for i, f := range files {
		if !filepath.IsAbs(f) {
			files[i] = filepath.Join(dir, f)
		}
	}
	env, err := readEnvFiles(files, l.opts.Environ, true)
	if err != nil {
		l.errs.Add(posOf(l.pos, path), path, "%s", err)
		return l.env
	}
	for k, v := range l.opts.Environ {
		env[k] = v
	}
	return env
}

// defaultBuildContexts gives the included services' builds without a context the
// included project's directory, as Compose does when it loads an include (its
// defaults are set per loaded project, before the import).
func defaultBuildContexts(inc map[string]any, projectDir string) {
	svcs, _ := inc["services"].(map[string]any)
	for _, v := range svcs {
		svc, _ := v.(map[string]any)
		if b, ok := svc["build"].(map[string]any); ok && b["context"] == nil && projectDir != "" {
			b["context"] = projectDir
		}
	}
}

// importResources adds the included model's resources to m. One defined in both is,
// as in Compose v5 (compose-go v2.16), the included definition with the including
// file's merged over it.
func (l *fileLoader) importResources(path string, own map[string]Position, m, inc map[string]any) {
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
			have, ok := dst[k]
			switch {
			case !ok:
				dst[k] = v
			case reflect.DeepEqual(have, v):
			case kind == "services":
				dst[k] = mergeService(deepCopy(v), have)
			default:
				dst[k] = merge(deepCopy(v), have, "")
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
