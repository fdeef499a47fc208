package dockerfile

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// lookupFunc returns a variable's value and whether it is set.
type lookupFunc func(name string) (string, bool)

// lexer implements Docker's word processing: quote removal, escapes and
// $VAR, ${VAR}, ${VAR:-x}, ${VAR-x}, ${VAR:+x}, ${VAR+x}, ${VAR:?x}, ${VAR?x}.
type lexer struct {
	src    []rune
	pos    int
	escape rune
	lookup lookupFunc
	split  bool // split into words on unquoted whitespace (also in expansions)

	words []string
	cur   strings.Builder
	inWrd bool
}

// expandWord expands s as one word, removing quotes and escapes.
func expandWord(s string, escape rune, lookup lookupFunc) (string, error) {
	l := &lexer{src: []rune(s), escape: escape, lookup: lookup}
	if err := l.run(0); err != nil {
		return "", err
	}
	return l.cur.String(), nil
}

// expandWords expands s into whitespace-separated words; unquoted
// expansions are split on whitespace too.
func expandWords(s string, escape rune, lookup lookupFunc) ([]string, error) {
	l := &lexer{src: []rune(s), escape: escape, lookup: lookup, split: true}
	if err := l.run(0); err != nil {
		return nil, err
	}
	l.flush()
	return l.words, nil
}

func (l *lexer) flush() {
	if l.inWrd {
		l.words = append(l.words, l.cur.String())
		l.cur.Reset()
		l.inWrd = false
	}
}

func (l *lexer) add(r rune) { l.cur.WriteRune(r); l.inWrd = true }

// addUnquoted adds expanded text, splitting it on whitespace when splitting.
func (l *lexer) addUnquoted(s string) {
	for _, r := range s {
		if l.split && unicode.IsSpace(r) {
			l.flush()
			continue
		}
		l.add(r)
	}
}

// run lexes until the end of input, or until stop (when non-zero) is met at
// top level; the stop rune is consumed.
func (l *lexer) run(stop rune) error {
	for l.pos < len(l.src) {
		r := l.src[l.pos]
		l.pos++
		switch {
		case stop != 0 && r == stop:
			return nil
		case r == l.escape:
			if l.pos < len(l.src) {
				l.add(l.src[l.pos])
				l.pos++
			}
		case r == '\'':
			if err := l.singleQuoted(); err != nil {
				return err
			}
		case r == '"':
			if err := l.doubleQuoted(); err != nil {
				return err
			}
		case r == '$':
			v, err := l.variable()
			if err != nil {
				return err
			}
			l.addUnquoted(v)
		case l.split && unicode.IsSpace(r):
			l.flush()
		default:
			l.add(r)
		}
	}
	if stop != 0 {
		return errors.New("missing '}' in variable substitution")
	}
	return nil
}

func (l *lexer) singleQuoted() error {
	l.inWrd = true
	for l.pos < len(l.src) {
		r := l.src[l.pos]
		l.pos++
		if r == '\'' {
			return nil
		}
		l.add(r)
	}
	return errors.New("unexpected end of text: missing closing single quote")
}

func (l *lexer) doubleQuoted() error {
	l.inWrd = true
	for l.pos < len(l.src) {
		r := l.src[l.pos]
		l.pos++
		switch {
		case r == '"':
			return nil
		case r == l.escape && l.pos < len(l.src):
			next := l.src[l.pos]
			if next == '"' || next == '$' || next == l.escape {
				l.add(next)
				l.pos++
			} else {
				l.add(r)
			}
		case r == '$':
			v, err := l.variable()
			if err != nil {
				return err
			}
			for _, c := range v {
				l.add(c)
			}
		default:
			l.add(r)
		}
	}
	return errors.New("unexpected end of text: missing closing double quote")
}

func isNameStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isNameRune(r rune) bool  { return isNameStart(r) || unicode.IsDigit(r) }

// variable expands the text after a '$'. A '$' not followed by a name or
// '{' is kept literally.
func (l *lexer) variable() (string, error) {
	if l.pos >= len(l.src) {
		return "$", nil
	}
	if l.src[l.pos] == '{' {
		l.pos++
		return l.braced()
	}
	name := l.name()
	if name == "" {
		return "$", nil
	}
	v, _ := l.lookup(name)
	return v, nil
}

func (l *lexer) name() string {
	start := l.pos
	if l.pos < len(l.src) && isNameStart(l.src[l.pos]) {
		for l.pos < len(l.src) && isNameRune(l.src[l.pos]) {
			l.pos++
		}
	}
	return string(l.src[start:l.pos])
}

// braced expands ${...} after the opening brace.
func (l *lexer) braced() (string, error) {
	name := l.name()
	if name == "" {
		return "", errors.New("bad substitution: missing variable name after '${'")
	}
	if l.pos >= len(l.src) {
		return "", errors.New("missing '}' in variable substitution")
	}
	if l.src[l.pos] == '}' {
		l.pos++
		v, _ := l.lookup(name)
		return v, nil
	}
	op := string(l.src[l.pos])
	l.pos++
	if op == ":" {
		if l.pos >= len(l.src) {
			return "", errors.New("missing '}' in variable substitution")
		}
		op += string(l.src[l.pos])
		l.pos++
	}
	if !strings.Contains("|:-|-|:+|+|:?|?|", "|"+op+"|") {
		return "", fmt.Errorf("unsupported modifier %q in substitution ${%s...}", op, name)
	}
	word, err := l.nested()
	if err != nil {
		return "", err
	}
	return modify(name, op, word, l.lookup)
}

// nested lexes the modifier word of ${name<op>word} up to the closing brace.
func (l *lexer) nested() (string, error) {
	sub := &lexer{src: l.src, pos: l.pos, escape: l.escape, lookup: l.lookup}
	if err := sub.run('}'); err != nil {
		return "", err
	}
	l.pos = sub.pos
	return sub.cur.String(), nil
}

func modify(name, op, word string, lookup lookupFunc) (string, error) {
	v, set := lookup(name)
	nonEmpty := set && v != ""
	switch op {
	case ":-":
		if !nonEmpty {
			return word, nil
		}
	case "-":
		if !set {
			return word, nil
		}
	case ":+":
		if nonEmpty {
			return word, nil
		}
		return "", nil
	case "+":
		if set {
			return word, nil
		}
		return "", nil
	case ":?", "?":
		if (op == ":?" && !nonEmpty) || (op == "?" && !set) {
			if word == "" {
				word = "is not allowed to be unset"
			}
			return "", fmt.Errorf("%s: %s", name, word)
		}
	}
	return v, nil
}
