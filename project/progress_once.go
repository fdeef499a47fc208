package project

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// onceStatuses are the container states a dependency wait and `up --wait` both
// report: each is printed once per container.
var onceStatuses = map[string]bool{"Waiting": true, "Healthy": true, "Exited": true}

// statusOnce passes progress lines through, dropping a " Container <name>  <status>"
// line already printed when the status is Waiting, Healthy or Exited.
type statusOnce struct {
	mu      sync.Mutex
	w       io.Writer
	partial []byte
	seen    map[string]bool
}

// ProgressOnce returns a writer for the Progress of Up and then WaitUp (or Run) that
// prints each container's Waiting, Healthy and Exited line once, as Compose's progress
// display shows one line per container: several services waiting for the same
// dependency, and `up --wait` after them, would otherwise repeat it. Safe for
// concurrent use.
func ProgressOnce(w io.Writer) io.Writer {
	return &statusOnce{w: w, seen: map[string]bool{}}
}

func (s *statusOnce) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial = append(s.partial, b...)
	var out bytes.Buffer
	for {
		i := bytes.IndexByte(s.partial, '\n')
		if i < 0 {
			break
		}
		line := string(s.partial[:i+1])
		s.partial = s.partial[i+1:]
		if s.repeated(line) {
			continue
		}
		out.WriteString(line)
	}
	if out.Len() > 0 {
		if _, err := s.w.Write(out.Bytes()); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

// repeated reports whether line is a once-only status line printed before, and
// records it.
func (s *statusOnce) repeated(line string) bool {
	rest, ok := strings.CutPrefix(line, " Container ")
	if !ok {
		return false
	}
	name, status, ok := strings.Cut(strings.TrimSuffix(rest, "\n"), "  ")
	if !ok || !onceStatuses[status] {
		return false
	}
	key := name + "\x00" + status
	if s.seen[key] {
		return true
	}
	s.seen[key] = true
	return false
}
