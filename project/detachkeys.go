package project

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// ErrDetached ends an attachment the user left with the detach keys; its text is
// Docker's.
var ErrDetached = errors.New("read escape sequence")

// DefaultDetachKeys are Docker's: ctrl-p, ctrl-q.
var DefaultDetachKeys = []byte{16, 17}

// ctrlKeys are the names of the control characters 0 to 31, as Docker spells them.
var ctrlKeys = func() []string {
	out := []string{"ctrl-@"}
	for c := 'a'; c <= 'z'; c++ {
		out = append(out, "ctrl-"+string(c))
	}
	return append(out, "ctrl-[", `ctrl-\`, "ctrl-]", "ctrl-^", "ctrl-_")
}()

// ParseDetachKeys reads a detach key sequence as Docker does (moby/term's ToBytes):
// comma-separated keys, each one character or ctrl-<a-z, @, [, \, ], ^, _>. "" is
// DefaultDetachKeys. As Docker, an unknown "ctrl-" key is skipped; any other
// unknown key is an error wrapping ErrInvalid.
func ParseDetachKeys(keys string) ([]byte, error) {
	if keys == "" {
		return DefaultDetachKeys, nil
	}
	var codes []byte
next:
	for _, key := range strings.Split(keys, ",") {
		if len(key) == 1 {
			codes = append(codes, key[0])
			continue
		}
		for code, name := range ctrlKeys {
			if name == key {
				codes = append(codes, byte(code))
				continue next
			}
		}
		if !strings.HasPrefix(key, "ctrl-") {
			return nil, fmt.Errorf("invalid detach keys (%s): Unknown character: '%s': %w", keys, key, ErrInvalid)
		}
	}
	return codes, nil
}

// escapeWriter passes what is written to w, except the detach key sequence: bytes
// that begin it are held back until they turn out not to be it (then passed on) or
// to be it (then the writer is closed: detached is closed and every later write
// fails with ErrDetached).
type escapeWriter struct {
	w        io.Writer
	keys     []byte
	held     int // how many bytes of keys were matched
	once     sync.Once
	detached chan struct{}
}

func newEscapeWriter(w io.Writer, keys []byte) *escapeWriter {
	return &escapeWriter{w: w, keys: keys, detached: make(chan struct{})}
}

func (e *escapeWriter) Write(p []byte) (int, error) {
	select {
	case <-e.detached:
		return 0, ErrDetached
	default:
	}
	var out []byte
	for _, b := range p {
		switch {
		case len(e.keys) > 0 && b == e.keys[e.held]:
			e.held++
			if e.held == len(e.keys) {
				if _, err := e.w.Write(out); err != nil {
					return 0, err
				}
				e.once.Do(func() { close(e.detached) })
				return len(p), ErrDetached
			}
		case e.held > 0:
			out = append(out, e.keys[:e.held]...)
			e.held = 0
			if b == e.keys[0] {
				e.held = 1
				continue
			}
			out = append(out, b)
		default:
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return len(p), nil
	}
	if _, err := e.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
