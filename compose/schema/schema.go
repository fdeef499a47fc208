// Package schema validates a compose file's model against the Compose Specification's
// JSON schema: compose-spec.json as compose-go v2.16.1 ships it, the schema Docker Compose
// v5.6.0 validates every file with. It is a small interpreter of the keywords that schema
// uses ($ref, type, properties, patternProperties, additionalProperties,
// unevaluatedProperties, allOf, anyOf, oneOf, items, enum, required, pattern, minimum,
// maximum, uniqueItems), not a general JSON-schema validator: Compile refuses a schema
// with any other keyword, so a newer schema cannot be half-checked unnoticed.
//
// Errors are chosen as Compose chooses them: of all the ways a value fails, the most
// specific (the deepest field; an unknown key counts one deeper), first in document
// order on a tie; the messages use Compose's words.
package schema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// node is one compiled (sub)schema.
type node struct {
	boolean      *bool // true or false schema: nothing else is set
	types        []string
	ref          string
	target       *node // ref, resolved
	properties   map[string]*node
	patternProps []patternProp
	additional   *node // nil: any additional property is allowed
	unevaluated  *node
	items        *node
	allOf        []*node
	anyOf        []*node
	oneOf        []*node
	enum         []any
	required     []string
	pattern      *matcher
	minimum      *float64
	maximum      *float64
	uniqueItems  bool
}

type patternProp struct {
	re     *matcher
	schema *node
}

// matcher is a schema's regular expression, compiled when first used: most commands
// never meet most of the schema's patterns.
type matcher struct {
	src  string
	once sync.Once
	re   *regexp.Regexp
}

func (m *matcher) MatchString(s string) bool {
	if m.src == "^x-" { // the extension pattern, on every object of the schema
		return strings.HasPrefix(s, "x-")
	}
	m.once.Do(func() { m.re = regexp.MustCompile(m.src) }) // checked by Compile
	return m.re.MatchString(s)
}

func newMatcher(src, at string) (*matcher, error) {
	if _, err := regexp.Compile(src); err != nil {
		return nil, fmt.Errorf("compose schema: %s: %w", at, err)
	}
	return &matcher{src: src}, nil
}

// ignoredKeywords are annotations, with no effect on validation.
var ignoredKeywords = map[string]bool{"$schema": true, "$id": true, "$defs": true, "title": true,
	"description": true, "default": true, "deprecated": true, "examples": true, "$comment": true}

// spec is compose-spec.json compiled: spec_gen.go, generated from it by
// TestSpecGenerated (go test ./compose/schema -run TestSpecGenerated -update), holds
// the node tree as Go, built on first use without decoding any JSON.
var spec = sync.OnceValue(buildSpec)

// Compile compiles a JSON schema document; its "$ref"s must point into its own "$defs".
func Compile(doc []byte) (*node, error) {
	root, _, err := compileDoc(doc)
	return root, err
}

// compileDoc compiles a schema document and returns its root and its definitions.
func compileDoc(doc []byte) (*node, map[string]*node, error) {
	var raw any
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, nil, fmt.Errorf("compose schema: %w", err)
	}
	root, _ := raw.(map[string]any)
	defs, _ := root["$defs"].(map[string]any)
	c := compiler{defs: map[string]*node{}}
	top, err := c.compile(raw, "#")
	if err != nil {
		return nil, nil, err
	}
	// Definitions are compiled when first referenced; compiling one can reference more.
	for i := 0; i < len(c.pending); i++ {
		r := c.pending[i]
		name, ok := strings.CutPrefix(r.ref, "#/$defs/")
		if !ok {
			return nil, nil, fmt.Errorf("compose schema: $ref %q: only #/$defs/NAME is supported", r.ref)
		}
		if c.defs[name] == nil {
			d, ok := defs[name]
			if !ok {
				return nil, nil, fmt.Errorf("compose schema: $ref %q: no such definition", r.ref)
			}
			def, err := c.compile(d, r.ref) // its own $refs join pending: no recursion
			if err != nil {
				return nil, nil, err
			}
			c.defs[name] = def
		}
		r.target = c.defs[name]
	}
	return top, c.defs, nil
}

type compiler struct {
	defs    map[string]*node
	pending []*node // nodes with a $ref, resolved after compiling
}

func (c *compiler) compile(v any, at string) (*node, error) {
	if b, ok := v.(bool); ok {
		return &node{boolean: &b}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("compose schema: %s: a schema must be an object or a boolean", at)
	}
	n := &node{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := c.keyword(n, k, m[k], at+"/"+k); err != nil {
			return nil, err
		}
	}
	if n.ref != "" {
		c.pending = append(c.pending, n)
	}
	return n, nil
}

func (c *compiler) keyword(n *node, k string, v any, at string) error {
	var err error
	switch k {
	case "$ref":
		n.ref, _ = v.(string)
	case "type":
		n.types, err = stringList(v, at)
	case "properties":
		n.properties, err = c.schemaMap(v, at)
	case "patternProperties":
		props, err2 := c.schemaMap(v, at)
		for _, p := range sortedKeys(props) {
			re, err3 := newMatcher(p, at)
			if err3 != nil {
				return err3
			}
			n.patternProps = append(n.patternProps, patternProp{re, props[p]})
		}
		err = err2
	case "additionalProperties":
		n.additional, err = c.compile(v, at)
	case "unevaluatedProperties":
		n.unevaluated, err = c.compile(v, at)
	case "items":
		n.items, err = c.compile(v, at)
	case "allOf", "anyOf", "oneOf":
		var list []*node
		list, err = c.schemaList(v, at)
		switch k {
		case "allOf":
			n.allOf = list
		case "anyOf":
			n.anyOf = list
		default:
			n.oneOf = list
		}
	case "enum":
		n.enum, _ = v.([]any)
	case "required":
		n.required, err = stringList(v, at)
	case "pattern":
		s, _ := v.(string)
		n.pattern, err = newMatcher(s, at)
	case "minimum", "maximum":
		f, ok := v.(float64)
		if !ok {
			return fmt.Errorf("compose schema: %s: want a number", at)
		}
		if k == "minimum" {
			n.minimum = &f
		} else {
			n.maximum = &f
		}
	case "uniqueItems":
		n.uniqueItems, _ = v.(bool)
	default:
		if !ignoredKeywords[k] {
			return fmt.Errorf("compose schema: %s: keyword %q is not supported", at, k)
		}
	}
	return err
}

func (c *compiler) schemaMap(v any, at string) (map[string]*node, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("compose schema: %s: want an object", at)
	}
	out := make(map[string]*node, len(m))
	for k, s := range m {
		n, err := c.compile(s, at+"/"+k)
		if err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, nil
}

func (c *compiler) schemaList(v any, at string) ([]*node, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("compose schema: %s: want an array", at)
	}
	out := make([]*node, len(l))
	for i, s := range l {
		n, err := c.compile(s, fmt.Sprintf("%s/%d", at, i))
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func stringList(v any, at string) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("compose schema: %s: want strings", at)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("compose schema: %s: want a string or strings", at)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// boolSchema is the boolean schema true or false, for spec_gen.go.
func boolSchema(b bool) *bool { return &b }

// float is a schema's bound, for spec_gen.go.
func float(f float64) *float64 { return &f }
