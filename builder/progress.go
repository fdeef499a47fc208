package builder

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress prints BuildKit's plain progress format (`docker build --progress
// plain`): every step is "#N name", then its output lines "#N 0.123 text", then
// "#N CACHED", "#N DONE 0.3s" or "#N ERROR: ...".
type progress struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

type step struct {
	p     *progress
	n     int
	start time.Time
}

func (p *progress) step(format string, a ...any) *step {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	fmt.Fprintf(p.w, "#%d %s\n", p.n, fmt.Sprintf(format, a...))
	return &step{p: p, n: p.n, start: time.Now()}
}

func (s *step) printf(format string, a ...any) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	fmt.Fprintf(s.p.w, "#%d %s\n", s.n, fmt.Sprintf(format, a...))
}

// output prints one line of a RUN's output with the time since the step began.
func (s *step) output(line string) {
	s.printf("%.3f %s", time.Since(s.start).Seconds(), strings.TrimRight(line, "\r\n"))
}

func (s *step) cached() { s.printf("CACHED") }

func (s *step) done() { s.printf("DONE %.1fs", time.Since(s.start).Seconds()) }

func (s *step) fail(err error) { s.printf("ERROR: %v", err) }
