// Package interp substitutes Compose variables (${VAR}, $VAR, ${VAR:-d}, ${VAR-d},
// ${VAR:?msg}, ${VAR?msg}, ${VAR:+alt}, ${VAR+alt}, nested defaults and the $$ escape)
// in one string. It knows nothing about YAML or files and imports nothing of berth.
package interp

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is wrapped by every error Substitute returns.
var ErrInvalid = errors.New("invalid interpolation")

// LookupFunc returns the value of a variable and whether it is set.
type LookupFunc func(name string) (string, bool)

// Substitute replaces every variable reference in s using lookup. An unset variable
// without a default becomes the empty string. "$$" becomes "$". Errors wrap ErrInvalid.
func Substitute(s string, lookup LookupFunc) (string, error) {
	return SubstituteFunc(s, lookup, nil)
}

// SubstituteFunc is Substitute that also calls unset (when not nil) with the name of
// every variable that lookup does not know and that has no default, alternative or
// error message to stand in for it ($VAR, ${VAR}): Compose warns of those.
func SubstituteFunc(s string, lookup LookupFunc, unset func(name string)) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		next := s[i+1]
		switch {
		case next == '$':
			b.WriteByte('$')
			i += 2
		case next == '{':
			end := matchBrace(s, i+2)
			if end < 0 {
				return "", fmt.Errorf("unclosed \"${\" in %q: %w", s, ErrInvalid)
			}
			v, err := expand(s[i+2:end], lookup, unset)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			i = end + 1
		case isNameStart(next):
			j := i + 1
			for j < len(s) && isNameChar(s[j]) {
				j++
			}
			v, set := lookup(s[i+1 : j])
			if !set && unset != nil {
				unset(s[i+1 : j])
			}
			b.WriteString(v)
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// matchBrace returns the index of the '}' closing a "${" whose body starts at from.
func matchBrace(s string, from int) int {
	depth := 1
	for i := from; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func expand(body string, lookup LookupFunc, unset func(string)) (string, error) {
	j := 0
	for j < len(body) && isNameChar(body[j]) {
		j++
	}
	name, rest := body[:j], body[j:]
	if name == "" || !isNameStart(name[0]) {
		return "", fmt.Errorf("invalid variable name in \"${%s}\": %w", body, ErrInvalid)
	}
	val, set := lookup(name)
	if rest == "" {
		if !set && unset != nil {
			unset(name)
		}
		return val, nil
	}
	op, arg := rest[:1], rest[1:]
	colon := false
	if op == ":" && len(rest) > 1 {
		colon, op, arg = true, rest[1:2], rest[2:]
	}
	present := set && (!colon || val != "")
	switch op {
	case "-":
		if present {
			return val, nil
		}
		return SubstituteFunc(arg, lookup, unset)
	case "+":
		if present {
			return SubstituteFunc(arg, lookup, unset)
		}
		return "", nil
	case "?":
		if present {
			return val, nil
		}
		msg, err := SubstituteFunc(arg, lookup, unset)
		if err != nil {
			return "", err
		}
		if msg == "" { // Compose's text: no ": " when ${X:?} gives no message
			return "", fmt.Errorf("required variable %s is missing a value: %w", name, ErrInvalid)
		}
		return "", fmt.Errorf("required variable %s is missing a value: %s: %w", name, msg, ErrInvalid)
	}
	return "", fmt.Errorf("invalid interpolation format for \"${%s}\": %w", body, ErrInvalid)
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameChar(c byte) bool { return isNameStart(c) || (c >= '0' && c <= '9') }
