package dockerfile

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// logicalLine is one instruction after joining continuations.
type logicalLine struct {
	line int    // 1-based line where the instruction starts
	text string // joined text, continuation escapes removed
}

var directiveRe = lazyRegexp(`^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)

// readDirectives consumes parser directives at the top of lines and returns
// them with the index of the first line that is not a directive.
func (p *parser) readDirectives(lines []string) (int, error) {
	for i, raw := range lines {
		m := directiveRe().FindStringSubmatch(strings.TrimSpace(raw))
		if m == nil {
			return i, nil
		}
		key := strings.ToLower(m[1])
		if key != "syntax" && key != "escape" && key != "check" {
			return i, nil
		}
		if _, dup := p.df.Directives[key]; dup {
			return 0, p.errorf(i+1, "only one %s parser directive can be used", key)
		}
		p.df.Directives[key] = m[2]
		if key == "escape" {
			if m[2] != "\\" && m[2] != "`" {
				return 0, p.errorf(i+1, "invalid escape token %q: must be ` or \\", m[2])
			}
			p.escape = rune(m[2][0])
		}
	}
	return len(lines), nil
}

// logicalLines joins continuation lines, dropping comments and blank lines,
// including comment and blank lines inside a continuation as BuildKit does.
func (p *parser) logicalLines(lines []string, start int) []logicalLine {
	var out []logicalLine
	var cur strings.Builder
	startLine := 0
	for i := start; i < len(lines); i++ {
		trimmed := strings.TrimLeftFunc(lines[i], unicode.IsSpace)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if startLine == 0 {
			startLine = i + 1
		}
		body, cont := p.trimContinuation(lines[i])
		cur.WriteString(body)
		if cont {
			continue
		}
		out = append(out, logicalLine{line: startLine, text: strings.TrimSpace(cur.String())})
		cur.Reset()
		startLine = 0
	}
	if startLine != 0 {
		out = append(out, logicalLine{line: startLine, text: strings.TrimSpace(cur.String())})
	}
	return out
}

// trimContinuation reports whether line ends with the escape token (ignoring
// trailing whitespace) and returns it without that token.
func (p *parser) trimContinuation(line string) (string, bool) {
	t := strings.TrimRightFunc(line, unicode.IsSpace)
	if strings.HasSuffix(t, string(p.escape)) {
		return t[:len(t)-len(string(p.escape))], true
	}
	return line, false
}

// splitLines splits src into lines, accepting \n and \r\n and removing a
// leading UTF-8 byte order mark.
func splitLines(src string) []string {
	src = strings.TrimPrefix(src, "\ufeff")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	return strings.Split(src, "\n")
}

// lazyRegexp compiles expr on first use: the parser's patterns would otherwise be
// compiled in every berth command's start, Dockerfile or not.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
