package interp

// Variable is one variable a string refers to, with what its reference says:
// Required for ${VAR?msg} and ${VAR:?msg}, DefaultValue for ${VAR-d} and ${VAR:-d},
// AlternateValue for ${VAR+alt} and ${VAR:+alt}. Default and alternate values are the
// raw text, nested references included.
type Variable struct {
	Name           string
	Required       bool
	DefaultValue   string
	AlternateValue string
}

// Variables lists the variable references of s in order, those nested in default,
// alternate and message texts included. "$$" is an escape, not a reference. A
// malformed reference ends the scan (Substitute reports it).
func Variables(s string) []Variable {
	var out []Variable
	for i := 0; i < len(s); {
		if s[i] != '$' || i+1 >= len(s) {
			i++
			continue
		}
		next := s[i+1]
		switch {
		case next == '$':
			i += 2
		case next == '{':
			end := matchBrace(s, i+2)
			if end < 0 {
				return out
			}
			out = append(out, braced(s[i+2:end])...)
			i = end + 1
		case isNameStart(next):
			j := i + 1
			for j < len(s) && isNameChar(s[j]) {
				j++
			}
			out = append(out, Variable{Name: s[i+1 : j]})
			i = j
		default:
			i++
		}
	}
	return out
}

// braced returns the variable of "${body}" and those nested in its argument.
func braced(body string) []Variable {
	j := 0
	for j < len(body) && isNameChar(body[j]) {
		j++
	}
	name, rest := body[:j], body[j:]
	if name == "" || !isNameStart(name[0]) {
		return nil
	}
	v := Variable{Name: name}
	if rest == "" {
		return []Variable{v}
	}
	op, arg := rest[:1], rest[1:]
	if op == ":" && len(rest) > 1 {
		op, arg = rest[1:2], rest[2:]
	}
	switch op {
	case "-":
		v.DefaultValue = arg
	case "+":
		v.AlternateValue = arg
	case "?":
		v.Required = true
	}
	return append([]Variable{v}, Variables(arg)...)
}
