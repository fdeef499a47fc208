package schema

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Error is one way a document fails the schema.
type Error struct {
	Path string // field path as berth writes it: services.web.ports[0].target
	Msg  string // what is wrong, in Compose's words, without the path
	// Unknown is set when the error names keys the schema does not know: Key is the
	// path of the first, KeyIn the path of the object that holds it (additional
	// properties are reported at their parent's Path; an unevaluated one at its own).
	Unknown bool
	Key     string
	KeyIn   string
}

// Options adapt validation to the caller's document.
type Options struct {
	// Unwrap lets the caller see through its own markers in the document (a YAML tag
	// such as !reset or !override): it returns the value to validate, or skip to
	// accept the value as it is. Nil: values are what they are.
	Unwrap func(v any) (value any, skip bool)
	// Deduplicated tells which lists (by field path, as Error.Path) the caller
	// deduplicates before use, so that their uniqueItems rule does not apply (Compose
	// removes repeated cap_add, ports... before it validates). Nil: none.
	Deduplicated func(path string) bool
}

// Validate checks doc (maps, lists, strings, numbers, booleans and nil, as a YAML or
// JSON decoder gives them) against the Compose Specification and returns, for each
// top-level entry that fails (a service, a network, the name...), its most specific
// error, in path order.
func Validate(doc map[string]any, opts Options) ([]Error, error) {
	v := validator{Options: opts}
	leaves, _ := v.validate(spec(), doc, nil)
	return mostSpecificPerEntry(leaves), nil
}

// leaf is one failure of one keyword at one place.
type leaf struct {
	loc        []step
	msg        string
	unknown    bool   // additional or unevaluated properties
	additional bool   // additional properties: counts one step deeper, as Compose counts
	key        string // the first unknown key's path
	keyIn      string // the path of the object that holds it
}

// step is one element of an instance location: a key, or a list index.
type step struct {
	key   string
	index int // -1 for a key
}

func (l leaf) specificity() int {
	if l.additional {
		return len(l.loc) + 1
	}
	return len(l.loc)
}

// mostSpecificPerEntry picks, among the leaves under each top-level entry (the first
// two steps: services.web), the deepest, the first of equals (Compose's choice).
func mostSpecificPerEntry(leaves []leaf) []Error {
	best := map[string]leaf{}
	var order []string
	for _, l := range leaves {
		entry := path(l.loc[:min(2, len(l.loc))])
		b, seen := best[entry]
		if !seen {
			order = append(order, entry)
		}
		if !seen || l.specificity() > b.specificity() {
			best[entry] = l
		}
	}
	sort.Strings(order)
	var out []Error
	for _, e := range order {
		l := best[e]
		out = append(out, Error{Path: path(l.loc), Msg: l.msg, Unknown: l.unknown, Key: l.key, KeyIn: l.keyIn})
	}
	return out
}

func path(loc []step) string {
	var b strings.Builder
	for _, s := range loc {
		if s.index >= 0 {
			fmt.Fprintf(&b, "[%d]", s.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}

type validator struct {
	Options
}

// validate returns the failures of val against n at loc, and the properties of val
// (an object) that n evaluated, for unevaluatedProperties: those of n's own
// properties and those of the subschemas ($ref, allOf, anyOf, oneOf) that passed.
func (v validator) validate(n *node, val any, loc []step) ([]leaf, map[string]bool) {
	if n.boolean != nil {
		if *n.boolean {
			return nil, nil
		}
		return []leaf{{loc: loc, msg: "is not allowed here"}}, nil
	}
	if v.Unwrap != nil {
		var skip bool
		if val, skip = v.Unwrap(val); skip {
			return nil, nil
		}
	}
	if len(n.types) > 0 && !typeMatches(n.types, val) {
		return []leaf{{loc: loc, msg: "must be " + article(humanTypes(n.types))}}, nil
	}
	if n.enum != nil && !inEnum(n.enum, val) {
		return []leaf{{loc: loc, msg: enumMsg(n.enum)}}, nil
	}
	var errs []leaf
	evaluated := map[string]bool{}
	merge := func(e map[string]bool) {
		for k := range e {
			evaluated[k] = true
		}
	}
	if n.target != nil {
		e, ev := v.validate(n.target, val, loc)
		if errs = append(errs, e...); len(e) == 0 {
			merge(ev)
		}
	}
	switch x := val.(type) {
	case map[string]any:
		errs = append(errs, v.object(n, x, loc, evaluated)...)
	case []any:
		errs = append(errs, v.array(n, x, loc)...)
	case string:
		if n.pattern != nil && !n.pattern.MatchString(x) {
			errs = append(errs, leaf{loc: loc, msg: fmt.Sprintf("%s does not match pattern %s", quote(x), quote(n.pattern.src))})
		}
	default:
		if f, ok := number(val); ok {
			errs = append(errs, bounds(n, f, loc)...)
		}
	}
	e, ev := v.combinators(n, val, loc)
	errs = append(errs, e...)
	merge(ev)
	if obj, ok := val.(map[string]any); ok && n.unevaluated != nil {
		for _, k := range sortedKeys(obj) {
			if !evaluated[k] {
				e, _ := v.validate(n.unevaluated, obj[k], with(loc, step{key: k, index: -1}))
				for i := range e {
					e[i].unknown, e[i].key, e[i].keyIn = true, path(e[i].loc), path(loc)
				}
				errs = append(errs, e...)
			}
		}
	}
	return errs, evaluated
}

// object applies required, properties, patternProperties and additionalProperties,
// marking in evaluated the keys they covered.
func (v validator) object(n *node, obj map[string]any, loc []step, evaluated map[string]bool) []leaf {
	var errs []leaf
	var missing []string
	for _, r := range n.required {
		if _, ok := obj[r]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) == 1 {
		errs = append(errs, leaf{loc: loc, msg: "missing property " + quote(missing[0])})
	} else if len(missing) > 1 {
		errs = append(errs, leaf{loc: loc, msg: "missing properties " + joinQuoted(missing)})
	}
	var additional []string
	for _, k := range sortedKeys(obj) {
		at := with(loc, step{key: k, index: -1})
		seen := false
		if s, ok := n.properties[k]; ok {
			seen = true
			e, _ := v.validate(s, obj[k], at)
			errs = append(errs, e...)
		}
		for _, p := range n.patternProps {
			if p.re.MatchString(k) {
				seen = true
				e, _ := v.validate(p.schema, obj[k], at)
				errs = append(errs, e...)
			}
		}
		if !seen && n.additional != nil {
			seen = true
			if b := n.additional.boolean; b != nil && !*b {
				additional = append(additional, k)
			} else {
				e, _ := v.validate(n.additional, obj[k], at)
				errs = append(errs, e...)
			}
		}
		if seen {
			evaluated[k] = true
		}
	}
	if len(additional) > 0 {
		errs = append(errs, leaf{loc: loc, msg: "additional properties " + joinQuoted(additional) + " not allowed", unknown: true, additional: true,
			key: path(with(loc, step{key: additional[0], index: -1})), keyIn: path(loc)})
	}
	return errs
}

func (v validator) array(n *node, arr []any, loc []step) []leaf {
	var errs []leaf
	if n.uniqueItems && (v.Deduplicated == nil || !v.Deduplicated(path(loc))) {
		if i, j, dup := duplicate(arr, v.Unwrap); dup {
			errs = append(errs, leaf{loc: loc, msg: fmt.Sprintf("items at %d and %d are equal", i, j)})
		}
	}
	if n.items != nil {
		for i, item := range arr {
			e, _ := v.validate(n.items, item, with(loc, step{index: i}))
			errs = append(errs, e...)
		}
	}
	return errs
}

// combinators applies allOf, anyOf and oneOf: the failures they add, and the
// properties the passing subschemas evaluated.
func (v validator) combinators(n *node, val any, loc []step) ([]leaf, map[string]bool) {
	var errs []leaf
	evaluated := map[string]bool{}
	pass := func(s *node) ([]leaf, bool) {
		e, ev := v.validate(s, val, loc)
		if len(e) == 0 {
			for k := range ev {
				evaluated[k] = true
			}
		}
		return e, len(e) == 0
	}
	for _, s := range n.allOf {
		e, _ := pass(s)
		errs = append(errs, e...)
	}
	if len(n.anyOf) > 0 {
		var all []leaf
		matched := false
		for _, s := range n.anyOf {
			e, ok := pass(s)
			matched = matched || ok
			all = append(all, e...)
		}
		if !matched {
			errs = append(errs, all...)
		}
	}
	if len(n.oneOf) > 0 {
		var all []leaf
		var matched []int
		for i, s := range n.oneOf {
			e, ok := pass(s)
			if ok {
				matched = append(matched, i)
			}
			all = append(all, e...)
		}
		switch {
		case len(matched) == 0:
			errs = append(errs, all...)
		case len(matched) > 1:
			errs = append(errs, leaf{loc: loc, msg: fmt.Sprintf("'oneOf' failed, subschemas %d, %d matched", matched[0], matched[1])})
		}
	}
	return errs, evaluated
}

func bounds(n *node, f float64, loc []step) []leaf {
	if n.minimum != nil && f < *n.minimum {
		return []leaf{{loc: loc, msg: "must be greater than or equal to " + strconv.FormatFloat(*n.minimum, 'f', -1, 64)}}
	}
	if n.maximum != nil && f > *n.maximum {
		return []leaf{{loc: loc, msg: "must be less than or equal to " + strconv.FormatFloat(*n.maximum, 'f', -1, 64)}}
	}
	return nil
}

func with(loc []step, s step) []step {
	out := make([]step, len(loc)+1)
	copy(out, loc)
	out[len(loc)] = s
	return out
}

// typeOf is the JSON type of a decoded value; "" for a value JSON has no type for.
func typeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	if _, ok := number(v); ok {
		return "number"
	}
	return ""
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func typeMatches(types []string, v any) bool {
	t := typeOf(v)
	for _, want := range types {
		if want == t {
			return true
		}
		if f, ok := number(v); ok && want == "integer" && f == math.Trunc(f) && !math.IsInf(f, 0) {
			return true
		}
	}
	return false
}

// humanTypes names the wanted types as Compose does: "mapping" for object, sorted,
// "a, b or c".
func humanTypes(types []string) string {
	names := make([]string, len(types))
	for i, t := range types {
		if t == "object" {
			t = "mapping"
		}
		names[i] = t
	}
	if len(names) == 1 {
		return names[0]
	}
	sort.Strings(names)
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func article(s string) string {
	if strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if equal(e, v) {
			return true
		}
	}
	return false
}

func enumMsg(enum []any) string {
	want := make([]string, len(enum))
	for i, e := range enum {
		if s, ok := e.(string); ok {
			want[i] = quote(s)
		} else {
			want[i] = fmt.Sprint(e)
		}
	}
	if len(want) == 1 {
		return "value must be " + want[0]
	}
	return "value must be one of " + strings.Join(want, ", ")
}

// equal compares JSON values, numbers by value.
func equal(a, b any) bool {
	fa, okA := number(a)
	fb, okB := number(b)
	if okA || okB {
		return okA && okB && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

func duplicate(arr []any, unwrap func(any) (any, bool)) (int, int, bool) {
	for j := range arr {
		for i := 0; i < j; i++ {
			a, b := arr[i], arr[j]
			if unwrap != nil {
				a, _ = unwrap(a)
				b, _ = unwrap(b)
			}
			if equal(a, b) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

// quote writes s in single quotes, as the schema validator Compose uses does.
func quote(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q, `\"`, `"`)
	q = strings.ReplaceAll(q, `'`, `\'`)
	return "'" + q[1:len(q)-1] + "'"
}

func joinQuoted(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = quote(s)
	}
	return strings.Join(q, ", ")
}
