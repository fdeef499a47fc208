package dockerfile

import (
	"errors"
	"fmt"
)

// Sentinel kinds carried by every *Error, for errors.Is.
var (
	// ErrInvalid reports a Dockerfile that is malformed.
	ErrInvalid = errors.New("invalid Dockerfile")
	// ErrUnsupported reports a valid Dockerfile feature berth does not implement.
	ErrUnsupported = errors.New("unsupported Dockerfile feature")
)

// Error is a problem at one line of a Dockerfile. It prints as
// `Dockerfile:LINE: message` and unwraps to ErrInvalid or ErrUnsupported.
type Error struct {
	File string // file name as given in Options.Filename
	Line int    // 1-based line of the instruction (0 when not tied to a line)
	Msg  string
	Kind error // ErrInvalid or ErrUnsupported
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Unwrap returns the error's kind.
func (e *Error) Unwrap() error { return e.Kind }
