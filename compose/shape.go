package compose

import (
	"fmt"
	"github.com/mattn/go-shellwords"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// shaper rewrites a service's short syntaxes into the long form, per file, so files
// can be merged key by key. Problems go to errs with the position of the field.
type shaper struct {
	pos   map[string]Position
	errs  *ErrorList
	dir   string
	home  string     // $HOME, for "~" in paths
	warns *[]Warning // nil: warnings not recorded
	// noPaths keeps paths as written (Options.NoResolvePaths).
	noPaths bool
}

func (s *shaper) warn(path, format string, args ...any) {
	if s.warns != nil {
		*s.warns = append(*s.warns, Warning{Pos: posOf(s.pos, path), Path: path, Msg: fmt.Sprintf(format, args...)})
	}
}

// command splits a string command as Compose does (mattn/go-shellwords, compose-go's
// word splitter): the words up to an unquoted ";", "&", "|", "<" or ">" (a shell
// operator); the rest is dropped, with a warning since the user likely meant a shell.
func (s *shaper) command(path, str string) any {
	p := shellwords.NewParser()
	words, err := p.Parse(str)
	if err != nil {
		s.fail(path, "invalid command %q: %v", str, err)
		return str
	}
	if p.Position >= 0 {
		s.warn(path, "the command stops at the shell operator in %q; Compose (and berth) drop the rest: write it as [\"sh\", \"-c\", ...] to run it in a shell", str[p.Position:])
	}
	out := make([]any, len(words))
	for i, w := range words {
		out[i] = w
	}
	return out
}

func (s *shaper) fail(path, format string, args ...any) {
	s.errs.Add(posOf(s.pos, path), path, format, args...)
}

func (s *shaper) service(name string, svc map[string]any) {
	s.workload("services", name, svc)
}

// workload shapes a service or a job (kind "services" or "jobs"): both hold the same
// container keys.
func (s *shaper) workload(kind, name string, svc map[string]any) {
	base := kind + "." + name
	defer unwrapMarkers(svc)()
	for _, k := range []string{"environment", "labels", "sysctls", "annotations"} {
		if v, ok := svc[k]; ok {
			svc[k] = s.toMap(base+"."+k, v, k == "environment")
		}
	}
	if v, ok := svc["extra_hosts"]; ok {
		svc["extra_hosts"] = s.extraHosts(base+".extra_hosts", v)
	}
	if d, ok := svc["deploy"].(map[string]any); ok && d["labels"] != nil {
		d["labels"] = s.toMap(base+".deploy.labels", d["labels"], false)
	}
	if lg, ok := svc["logging"].(map[string]any); ok {
		if opts, ok := lg["options"].(map[string]any); ok {
			for k, v := range opts { // options are strings in Compose's model
				switch v.(type) {
				case nil:
				case string, int, float64:
					opts[k] = scalarString(v)
				default:
					s.fail(base+".logging.options."+k, "must be a null, number or string")
				}
			}
		}
	}
	for _, k := range []string{"command", "entrypoint"} {
		if str, ok := svc[k].(string); ok {
			svc[k] = s.command(base+"."+k, str)
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
		s.build(base+".build", b)
	}
	s.newerKeys(base, svc)
	if d, ok := svc["develop"].(map[string]any); ok {
		watch, _ := d["watch"].([]any)
		for i, w := range watch {
			if wm, ok := w.(map[string]any); ok {
				if p, ok := wm["path"].(string); ok {
					wm["path"] = s.abs(p)
				}
				if ex, ok := wm["exec"].(map[string]any); ok {
					s.hook(fmt.Sprintf("%s.develop.watch[%d].exec", base, i), ex)
				}
			}
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
	s.nameLists(base, svc)
	if v, ok := svc["env_file"]; ok {
		svc["env_file"] = s.envFiles(v)
	}
	if v, ok := svc["expose"].([]any); ok {
		for i, e := range v {
			v[i] = fmt.Sprint(e)
		}
	}
}

// unwrapMarkers takes a service's !override and !reset markers off its keys while
// it is shaped; the returned function puts them back for merging.
func unwrapMarkers(svc map[string]any) func() {
	var overridden, reset []string
	for k, v := range svc {
		if o, ok := v.(override); ok {
			svc[k] = o.v
			overridden = append(overridden, k)
		}
		if isReset(v) {
			reset = append(reset, k)
			delete(svc, k)
		}
	}
	return func() {
		for _, k := range overridden {
			svc[k] = override{svc[k]}
		}
		for _, k := range reset {
			svc[k] = resetValue
		}
	}
}

// nameLists turns the list forms of networks and depends_on into maps, moving the
// positions along.
func (s *shaper) nameLists(base string, svc map[string]any) {
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
			m[fmt.Sprint(n)] = map[string]any{"condition": "service_started"}
			s.pos[fmt.Sprintf("%s.depends_on.%v", base, n)] = s.pos[fmt.Sprintf("%s.depends_on[%d]", base, i)]
		}
		svc["depends_on"] = m
	}
}

// toMap turns a list of KEY=VALUE (or KEY) into a map; withNil keeps bare keys as nil.
func (s *shaper) toMap(path string, v any, withNil bool) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch {
			case isReset(e):
			case e != nil:
				x[k] = scalarString(e)
			case !withNil:
				x[k] = ""
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
			if list, ok := e.([]any); ok {
				for _, ip := range list {
					out = append(out, k+"="+fmt.Sprint(ip))
				}
				continue
			}
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
	if s.noPaths {
		return p
	}
	if s.home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return filepath.Join(s.home, p[1:])
	}
	if strings.HasPrefix(p, "~") || filepath.IsAbs(p) || isWindowsAbs(p) {
		return p
	}
	return filepath.Join(s.dir, p)
}

// isWindowsAbs reports a Windows absolute path (C:\x, C:/x, \\host\share), which
// Compose keeps as written.
func isWindowsAbs(p string) bool {
	if strings.HasPrefix(p, `\\`) {
		return true
	}
	r := []rune(p)
	return len(r) > 2 && unicode.IsLetter(r[0]) && r[1] == ':' && (r[2] == '\\' || r[2] == '/')
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

// build resolves a build section's local paths and turns its list forms into maps.
func (s *shaper) build(path string, b map[string]any) {
	if ctx, ok := b["context"].(string); ok && !strings.Contains(ctx, "://") {
		b["context"] = s.abs(ctx)
	}
	for _, k := range []string{"args", "labels"} {
		if v, ok := b[k]; ok {
			b[k] = s.toMap(path+"."+k, v, k == "args")
		}
	}
	if v, ok := b["extra_hosts"]; ok {
		b["extra_hosts"] = s.extraHosts(path+".extra_hosts", v)
	}
	if list, ok := b["secrets"].([]any); ok {
		for i, e := range list {
			if str, ok := e.(string); ok {
				list[i] = map[string]any{"source": str}
			}
		}
	}
	if list, ok := b["additional_contexts"].([]any); ok { // "name=context" list form
		b["additional_contexts"] = s.toMap(path+".additional_contexts", list, false)
	}
	if ac, ok := b["additional_contexts"].(map[string]any); ok {
		for k, v := range ac {
			str, _ := v.(string)
			if str != "" && !strings.Contains(str, "://") && !strings.HasPrefix(str, "service:") && !strings.HasPrefix(str, "target:") {
				ac[k] = s.abs(str)
			}
		}
	}
}

// deviceCounts writes the count of each device request (gpus, deploy's resources)
// as Compose's model holds it: "all" is -1, a number given as a string a number.
func deviceCounts(svc map[string]any) {
	lists := [][]any{}
	if g, ok := svc["gpus"].([]any); ok {
		lists = append(lists, g)
	}
	d, _ := svc["deploy"].(map[string]any)
	res, _ := d["resources"].(map[string]any)
	for _, k := range []string{"limits", "reservations"} {
		r, _ := res[k].(map[string]any)
		if l, ok := r["devices"].([]any); ok {
			lists = append(lists, l)
		}
	}
	for _, l := range lists {
		for _, e := range l {
			m, _ := e.(map[string]any)
			str, ok := m["count"].(string)
			if !ok {
				continue
			}
			if strings.EqualFold(str, "all") {
				m["count"] = -1
			} else if n, err := strconv.Atoi(str); err == nil {
				m["count"] = n
			}
		}
	}
}

// newerKeys shapes keys newer than Compose v2.29.7: gpus "all" becomes a device
// request for every GPU, label_file a list of absolute paths, and hook commands
// their exec form.
func (s *shaper) newerKeys(base string, svc map[string]any) {
	if list, ok := svc["models"].([]any); ok { // short form: model names
		m := make(map[string]any, len(list))
		for _, e := range list {
			m[fmt.Sprint(e)] = nil
		}
		svc["models"] = m
	}
	if pr, ok := svc["provider"].(map[string]any); ok {
		if opts, ok := pr["options"].(map[string]any); ok {
			for k, v := range opts { // compose-go's MultiOptions: every value a list of strings
				opts[k] = stringList(v)
			}
		}
	}
	if g, ok := svc["gpus"].(string); ok && strings.EqualFold(g, "all") {
		svc["gpus"] = []any{map[string]any{"count": -1}}
	}
	deviceCounts(svc)
	switch lf := svc["label_file"].(type) {
	case string:
		svc["label_file"] = []any{s.abs(lf)}
	case []any:
		for i, e := range lf {
			if str, ok := e.(string); ok {
				lf[i] = s.abs(str)
			}
		}
	}
	for _, k := range []string{"post_start", "pre_stop"} {
		hooks, _ := svc[k].([]any)
		for i, h := range hooks {
			if hm, ok := h.(map[string]any); ok {
				s.hook(fmt.Sprintf("%s.%s[%d]", base, k, i), hm)
			}
		}
	}
}

// hook shapes a hook (post_start, pre_stop, develop.watch's exec) at path: a string
// command split as a service's, the environment as a map.
func (s *shaper) hook(path string, hm map[string]any) {
	if str, ok := hm["command"].(string); ok {
		hm["command"] = s.command(path+".command", str)
	}
	if env, ok := hm["environment"]; ok {
		hm["environment"] = s.toMap(path+".environment", env, true)
	}
}

// stringList is a scalar or a list as a list of strings.
func stringList(v any) []any {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]any, len(list))
	for i, e := range list {
		out[i] = scalarString(e)
	}
	return out
}
