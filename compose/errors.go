package compose

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrInvalid is wrapped by every error about the content of a compose file.
var ErrInvalid = errors.New("invalid compose project")

// ErrNotFound is returned when no compose file can be found.
var ErrNotFound = errors.New("no compose file found")

// Position is a place in a compose file; it prints as file:line:col like go/token's.
type Position struct {
	File   string
	Line   int
	Column int
}

// String returns "file:line:col", "file" when the line is unknown.
func (p Position) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Error is one problem in a compose file: where, which field, and what is wrong.
type Error struct {
	Pos  Position
	Path string // field path, like services.web.ports[1]
	Msg  string
}

// Error prints "file:line:col: path: msg".
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Pos.String() + ": " + e.Path + ": " + e.Msg
}

// Unwrap makes every Error match ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

// ErrorList is every problem found, sorted by position, like go/scanner's.
type ErrorList []*Error

// Add appends an error.
func (l *ErrorList) Add(pos Position, path, format string, args ...any) {
	*l = append(*l, &Error{Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Sort orders the list by file, line, column.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// Error prints one error per line.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap makes the list match ErrInvalid.
func (l ErrorList) Unwrap() error { return ErrInvalid }

// Err returns nil for an empty list, else the sorted list.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

// posOf returns the position recorded for path, or for its nearest recorded parent.
// keyMark prefixes a field path in Positions for the place of the field's key (the
// path alone holds its value's place).
const keyMark = "\x00key:"

// keyPosOf is the place of the key of path (where "portz:" is written), or posOf.
func keyPosOf(pos map[string]Position, path string) Position {
	if at, ok := pos[keyMark+path]; ok {
		return at
	}
	return posOf(pos, path)
}

func posOf(pos map[string]Position, path string) Position {
	for p := path; p != ""; {
		if at, ok := pos[p]; ok {
			return at
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return pos[""]
}
