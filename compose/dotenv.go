package compose

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/berth-dev/berth/compose/interp"
)

// parseDotEnv reads a .env file as Docker Compose does (compose-go's dotenv format) and
// stores its variables in out:
//
//   - blank lines and lines starting with # are skipped; a leading "export " is dropped;
//   - KEY=VALUE or KEY: VALUE; spaces around the key and after the separator are dropped;
//   - an unquoted value runs to the end of the line, loses a " #comment" and trailing
//     spaces, and ${VAR} in it is substituted;
//   - a double-quoted value may span lines; \n \t \r \a \b \f \v \\ \" \$ and \0NNN (octal)
//     are unescaped, other backslashes kept, then ${VAR} is substituted;
//   - a single-quoted value may span lines and is literal except \' for a quote;
//   - KEY alone takes KEY from lookup when it is set there and is skipped otherwise;
//   - after a closing quote the line goes on as a new statement (# starts a comment).
//
// Variables are looked up in lookup first, then in out (earlier lines, earlier files): the
// process environment wins, as in Compose. Errors are *Error naming file:line:col: a quote
// left open (at the opening quote), a character that cannot be in a name, an empty name,
// and bad interpolation.
//
// Deliberate differences from compose-go v2.16: a last line "KEY" without a newline is KEY
// alone (compose-go stores the variable "" = "KEY"); "=VALUE" is an error (compose-go stores
// the variable "", which no process can be given); a last line "export " is ignored
// (compose-go fails with "zero length string").
func parseDotEnv(file, data string, lookup interp.LookupFunc, out map[string]string) error {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	s := &dotEnvScanner{file: file, src: strings.TrimPrefix(data, "\uFEFF"), out: out, lookup: lookup}
	for s.nextStatement() {
		if err := s.statement(); err != nil {
			return err
		}
	}
	return nil
}

// dotEnvScanner walks src; off is the next byte to read.
type dotEnvScanner struct {
	file   string
	src    string
	off    int
	out    map[string]string
	lookup interp.LookupFunc
}

// nextStatement skips white space (newlines included) and comment lines; it reports whether
// a statement starts at off.
func (s *dotEnvScanner) nextStatement() bool {
	for {
		i := strings.IndexFunc(s.src[s.off:], func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			s.off = len(s.src)
			return false
		}
		s.off += i
		if s.src[s.off] != '#' {
			return true
		}
		nl := strings.IndexByte(s.src[s.off:], '\n')
		if nl < 0 {
			s.off = len(s.src)
			return false
		}
		s.off += nl
	}
}

var dotEnvExport = regexp.MustCompile(`^export[\t\n\f\r ]`)

// statement reads one KEY=VALUE, KEY: VALUE or KEY statement.
func (s *dotEnvScanner) statement() error {
	if dotEnvExport.MatchString(s.src[s.off:]) {
		s.off += len("export")
		s.skipSpace()
	}
	keyAt := s.off
	key, sep, err := s.key()
	if err != nil {
		return err
	}
	if sep != '=' && sep != ':' {
		if key == "" {
			return nil
		}
		if v, ok := s.lookup(key); ok {
			s.out[key] = v
		}
		return nil
	}
	if key == "" {
		return s.errAt(keyAt, "", "missing variable name before %q", string(sep))
	}
	s.skipSpace()
	valueAt := s.off
	v, err := s.value()
	if err != nil {
		return s.errAt(valueAt, key, "%s", err)
	}
	s.out[key] = v
	return nil
}

// key reads a variable name up to '=', ':', a newline or the end of the file, and returns it
// with that separator (0 at the end of the file). Names are letters, digits and _ . - [ ].
func (s *dotEnvScanner) key() (string, rune, error) {
	start := s.off
	for i, r := range s.src[start:] {
		switch {
		case r == '=' || r == ':' || r == '\n':
			s.off = start + i + 1
			return s.checkKey(start, strings.TrimRightFunc(s.src[start:start+i], unicode.IsSpace), r)
		case isDotEnvSpace(r) || unicode.IsLetter(r) || unicode.IsNumber(r) || strings.ContainsRune("_.-[]", r):
		default:
			line, _, _ := strings.Cut(s.src[start:], "\n")
			return "", 0, s.errAt(start+i, "", "unexpected character %q in variable name %q", string(r), line)
		}
	}
	s.off = len(s.src)
	return s.checkKey(start, strings.TrimRightFunc(s.src[start:], unicode.IsSpace), 0)
}

func (s *dotEnvScanner) checkKey(start int, key string, sep rune) (string, rune, error) {
	if i := strings.IndexByte(key, ' '); i >= 0 {
		return "", 0, s.errAt(start+i, key, "variable name cannot contain a space")
	}
	return key, sep, nil
}

// value reads a quoted or unquoted value starting at off and leaves off after it.
func (s *dotEnvScanner) value() (string, error) {
	if s.off < len(s.src) && (s.src[s.off] == '"' || s.src[s.off] == '\'') {
		return s.quoted()
	}
	v, _, _ := strings.Cut(s.src[s.off:], "\n")
	s.off += min(len(v)+1, len(s.src)-s.off)
	v, _, _ = strings.Cut(v, " #")
	return interp.Substitute(strings.TrimRightFunc(v, unicode.IsSpace), s.resolve)
}

// quoted reads a value from its opening quote at off to the matching unescaped quote.
func (s *dotEnvScanner) quoted() (string, error) {
	q := s.src[s.off]
	var b strings.Builder
	escaped := false
	for i := s.off + 1; i < len(s.src); i++ {
		c := s.src[i]
		switch {
		case escaped:
			escaped = false
			if c != q {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		case c == '\\':
			escaped = true
		case c == q:
			s.off = i + 1
			if q == '\'' {
				return b.String(), nil
			}
			return interp.Substitute(unescapeDoubleQuoted(b.String()), s.resolve)
		default:
			b.WriteByte(c)
		}
	}
	line, _, _ := strings.Cut(s.src[s.off:], "\n")
	return "", fmt.Errorf("unterminated quoted value %s", line)
}

// resolve looks a variable up in the caller's lookup, then among those read so far.
func (s *dotEnvScanner) resolve(name string) (string, bool) {
	if v, ok := s.lookup(name); ok {
		return v, true
	}
	v, ok := s.out[name]
	return v, ok
}

func (s *dotEnvScanner) skipSpace() {
	if i := strings.IndexFunc(s.src[s.off:], func(r rune) bool { return !isDotEnvSpace(r) }); i >= 0 {
		s.off += i
	} else {
		s.off = len(s.src)
	}
}

// errAt is an *Error at byte offset off of the file.
func (s *dotEnvScanner) errAt(off int, key, format string, args ...any) error {
	before := s.src[:off]
	line := strings.Count(before, "\n") + 1
	col := off - strings.LastIndexByte(before, '\n')
	return &Error{Pos: Position{File: s.file, Line: line, Column: col}, Path: key, Msg: fmt.Sprintf(format, args...)}
}

// isDotEnvSpace is white space within a line: not a newline.
func isDotEnvSpace(r rune) bool {
	switch r {
	case '\t', '\v', '\f', '\r', ' ', 0x85, 0xA0:
		return true
	}
	return false
}

var dotEnvEscape = regexp.MustCompile(`\\(?:[abcfnrtv$"\\]|0[0-9]{0,3})`)

// unescapeDoubleQuoted replaces the escapes of a double-quoted value as Compose does: \$
// becomes $$ (a literal $ for the substitution that follows), \0NNN is the octal byte NNN,
// and an escape Go cannot read is left as it is (\0 turned into \).
func unescapeDoubleQuoted(v string) string {
	return dotEnvEscape.ReplaceAllStringFunc(v, func(m string) string {
		if m == `\$` {
			return "$$"
		}
		if strings.HasPrefix(m, `\0`) {
			m = `\` + m[2:]
		}
		r, _, _, err := strconv.UnquoteChar(m, '"')
		if err != nil {
			return m
		}
		return string(r)
	})
}
