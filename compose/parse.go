package compose

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose/interp"
	"go.yaml.in/yaml/v4"
)

// reset marks a value tagged !reset: merging removes the key.
type reset struct{}

// resetValue is the value of a !reset tag.
var resetValue = reset{}

func isReset(v any) bool {
	_, ok := v.(reset)
	return ok
}

// override marks a value tagged !override: merging replaces instead of merging.
type override struct{ v any }

// decoder turns one file's yaml.Node tree into plain Go values, interpolating scalar
// values and recording the position of every field path.
type decoder struct {
	file   string
	lookup interp.LookupFunc // nil: no interpolation
	pos    map[string]Position
	errs   *ErrorList
	warns  *[]Warning // unset variables (nil: not recorded)
	nodes  int        // nodes decoded so far, aliases counted each time (alias bombs)
}

// maxNodes bounds the decoded size of one file, aliases expanded.
const maxNodes = 200_000

// parseFile decodes one compose file into a map.
func (d *decoder) parseFile(data []byte) map[string]any {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d.errs.Add(yamlErrPos(d.file, err), "", "%s", yamlErrMsg(err))
		return nil
	}
	if len(doc.Content) == 0 {
		d.errs.Add(Position{File: d.file, Line: 1, Column: 1}, "", "empty compose file")
		return nil
	}
	root := doc.Content[0]
	v := d.node(root, "", 0)
	m, ok := v.(map[string]any)
	if !ok {
		d.errs.Add(d.at(root), "", "top-level object must be a mapping, got %s", kindName(root))
		return nil
	}
	return m
}

func (d *decoder) at(n *yaml.Node) Position {
	return Position{File: d.file, Line: n.Line, Column: n.Column}
}

func (d *decoder) node(n *yaml.Node, path string, depth int) any {
	d.nodes++
	if d.nodes == maxNodes {
		d.errs.Add(d.at(n), path, "document too large once aliases are expanded (over %d nodes)", maxNodes)
	}
	if depth > 200 || d.nodes >= maxNodes {
		if depth > 200 {
			d.errs.Add(d.at(n), path, "document nested too deeply")
		}
		return nil
	}
	if _, ok := d.pos[path]; !ok || path != "" {
		d.pos[path] = d.at(n)
	}
	switch n.Tag {
	case "!reset":
		return reset{}
	case "!override":
		c := *n
		c.Tag = ""
		return override{d.node(&c, path, depth+1)}
	}
	switch n.Kind {
	case yaml.AliasNode:
		return d.node(n.Alias, path, depth+1)
	case yaml.MappingNode:
		return d.mapping(n, path, depth)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			out = append(out, d.node(c, fmt.Sprintf("%s[%d]", path, i), depth+1))
		}
		return out
	case yaml.ScalarNode:
		return d.scalar(n, path)
	}
	return nil
}

func (d *decoder) mapping(n *yaml.Node, path string, depth int) map[string]any {
	out := map[string]any{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" || (k.Value == "<<" && k.Tag != "!!str") {
			merges = append(merges, v)
			continue
		}
		child := joinPath(path, k.Value)
		if _, dup := out[k.Value]; dup {
			d.errs.Add(d.at(k), child, "duplicate key %q", k.Value)
		}
		out[k.Value] = d.node(v, child, depth+1)
		d.pos[child] = d.at(v)
		d.pos[keyMark+child] = d.at(k)
	}
	for _, m := range merges {
		srcs := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			srcs = m.Content
		}
		for _, s := range srcs {
			mv, ok := d.node(s, path, depth+1).(map[string]any)
			if !ok {
				d.errs.Add(d.at(s), path, "merge key \"<<\" needs a mapping")
				continue
			}
			for k, v := range mv {
				if _, set := out[k]; !set {
					out[k] = v
				}
			}
		}
	}
	return out
}

func (d *decoder) scalar(n *yaml.Node, path string) any {
	v := d.interpolated(n, path)
	s, isStr := v.(string)
	if d.lookup == nil || !isStr || n.ShortTag() != "!!str" {
		return v
	}
	kind, ok := castFor(path)
	if !ok {
		return v
	}
	c, warn, err := kind.cast(s)
	if err != nil {
		d.errs.Add(d.at(n), path, "failed to cast to expected type: %s", err)
		return v
	}
	if warn != "" && d.warns != nil {
		*d.warns = append(*d.warns, Warning{Pos: d.at(n), Path: path, Msg: warn})
	}
	return c
}

// interpolated is the scalar's value: a string interpolated (unless NoInterpolate),
// or the value of its YAML tag.
func (d *decoder) interpolated(n *yaml.Node, path string) any {
	val := n.Value
	tag := n.ShortTag()
	if d.lookup != nil && strings.Contains(val, "$") && (tag == "!!str") {
		var unset func(string)
		if d.warns != nil {
			unset = func(name string) {
				*d.warns = append(*d.warns, Warning{Pos: d.at(n), Path: path,
					Msg: fmt.Sprintf("The %q variable is not set. Defaulting to a blank string.", name)})
			}
		}
		s, err := interp.SubstituteFunc(val, d.lookup, unset)
		if err != nil {
			d.errs.Add(d.at(n), path, "%s", strings.TrimSuffix(err.Error(), ": "+interp.ErrInvalid.Error()))
			return val
		}
		return s
	}
	switch tag {
	case "!!null":
		return nil
	case "!!bool":
		b, _ := strconv.ParseBool(strings.ToLower(val))
		return b
	case "!!int":
		if i, err := strconv.ParseInt(val, 0, 64); err == nil {
			return int(i)
		}
	case "!!float":
		if f, err := strconv.ParseFloat(val, 64); err == nil {
			return f
		}
	}
	return val
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// yamlErrPos is the line and column of a YAML syntax error (yaml/v4's LoadError
// marks it, as Compose v5 reports "at L4.C11"); the start of the file otherwise.
func yamlErrPos(file string, err error) Position {
	var le *yaml.LoadError
	if errors.As(err, &le) && le.Mark.Line > 0 {
		return Position{File: file, Line: le.Mark.Line, Column: max(le.Mark.Column, 1)}
	}
	return Position{File: file, Line: 1, Column: 1}
}

func yamlErrMsg(err error) string {
	var le *yaml.LoadError
	if errors.As(err, &le) {
		switch {
		case le.ContextMsg != "" && le.ContextMark.Line > 0 && le.ContextMark.Index != le.Mark.Index:
			return fmt.Sprintf("yaml syntax: %s (%s started at %d:%d)", le.Message, le.ContextMsg, le.ContextMark.Line, le.ContextMark.Column)
		case le.ContextMsg != "":
			return fmt.Sprintf("yaml syntax: %s (%s)", le.Message, le.ContextMsg)
		}
		return "yaml syntax: " + le.Message
	}
	return "yaml syntax: " + strings.TrimPrefix(err.Error(), "yaml: ")
}
