package logstream

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
)

// This file formats container output as Compose prints it ("web-1  | line") and parses
// the --tail, --since and --until values of `logs`.

// Format is how container output lines are printed.
type Format struct {
	Color      bool // an ANSI color per service on the prefix (when writing to a terminal)
	NoPrefix   bool // the bare line, no "service-N  | "
	Timestamps bool // the entry's RFC3339Nano time before the line
}

// rainbow is Compose's sequence of prefix colors (cyan, yellow, green, magenta, blue,
// then the same, bold), as SGR parameters.
var rainbow = []string{"36", "33", "32", "35", "34", "36;1", "33;1", "32;1", "35;1", "34;1"}

// Printer writes whole lines of several containers to one writer; it is safe for
// concurrent use. Prefixes are padded to the longest container seen so far, and every
// service keeps the color it was first given.
type Printer struct {
	mu     sync.Mutex
	w      io.Writer
	f      Format
	width  int
	colors map[string]string // service -> SGR parameters
}

// NewPrinter returns a Printer writing to w in format f.
func NewPrinter(w io.Writer, f Format) *Printer {
	return &Printer{w: w, f: f, colors: map[string]string{}}
}

// Prefix is c's "service-N" prefix, as Compose prints it.
func Prefix(c *state.ContainerState) string { return fmt.Sprintf("%s-%d", c.Service, c.Number) }

// Register makes room for c's prefix and gives its service a color.
func (p *Printer) Register(c *state.ContainerState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.width = max(p.width, len(Prefix(c))+1) // Compose: the longest name plus one space
	if _, ok := p.colors[c.Service]; !ok && p.f.Color {
		p.colors[c.Service] = rainbow[len(p.colors)%len(rainbow)]
	}
}

// paint wraps s in the service's color; callers hold mu.
func (p *Printer) paint(service, s string) string {
	if code := p.colors[service]; code != "" {
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	return s
}

// formatLine renders one entry; callers hold mu.
func (p *Printer) formatLine(c *state.ContainerState, e engine.LogEntry) string {
	line := strings.TrimRight(e.Log, "\n")
	if p.f.Timestamps {
		line = e.Time.Format(time.RFC3339Nano) + " " + line
	}
	if p.f.NoPrefix {
		return line + "\n"
	}
	return p.paint(c.Service, fmt.Sprintf("%-*s | ", p.width, Prefix(c))) + line + "\n"
}

// Line prints one log entry of c.
func (p *Printer) Line(c *state.ContainerState, e engine.LogEntry) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := io.WriteString(p.w, p.formatLine(c, e)); err != nil {
		return fmt.Errorf("write logs of %s: %w", c.Name, err)
	}
	return nil
}

// HookLine prints one output line of a hook of service, as Compose does: under the
// hook's own source ("web-1 ->", "web pre_start[0] ->"), in the service's color,
// the prefixes from then on padded to it too.
func (p *Printer) HookLine(service, source, line string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.width = max(p.width, len(source)+1)
	if _, ok := p.colors[service]; !ok && p.f.Color {
		p.colors[service] = rainbow[len(p.colors)%len(rainbow)]
	}
	if p.f.Timestamps {
		line = time.Now().Format(time.RFC3339Nano) + " " + line
	}
	if !p.f.NoPrefix {
		line = p.paint(service, fmt.Sprintf("%-*s | ", p.width, source)) + line
	}
	if _, err := io.WriteString(p.w, line+"\n"); err != nil {
		return fmt.Errorf("write output of %s: %w", source, err)
	}
	return nil
}

// Status prints a line about c itself, as Compose's "web-1 exited with code 0".
func (p *Printer) Status(c *state.ContainerState, msg string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := io.WriteString(p.w, p.paint(c.Service, Prefix(c)+" "+msg)+"\n"); err != nil {
		return fmt.Errorf("write logs of %s: %w", c.Name, err)
	}
	return nil
}

// TailAll is ParseTail's "every line".
const TailAll = -1

// ParseTail parses a --tail value: "all" (or empty) is every line (-1), otherwise the
// number of last lines per container (0: none). Anything else wraps state.ErrInvalid.
func ParseTail(s string) (int, error) {
	if s == "" || s == "all" {
		return TailAll, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid tail %q: want a number of lines or \"all\": %w", s, state.ErrInvalid)
	}
	return n, nil
}

var unixTime = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]+)(?:\.([0-9]{1,9}))?$`) })

// localLayouts are the timestamp forms Docker accepts without a zone (local time).
var localLayouts = []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"}

// ParseLogTime parses a --since or --until value as Docker does: a duration before now
// ("10m", "1h30m"), an RFC3339 time ("2024-05-01T12:00:00Z", fractions allowed), a
// local date or time without a zone ("2024-05-01", "2024-05-01T12:00:00"), or a Unix
// timestamp with optional fraction ("1714564800.5"). Empty is the zero time (no
// bound). Anything else wraps state.ErrInvalid.
func ParseLogTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	if m := unixTime().FindStringSubmatch(s); m != nil {
		sec, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil {
			nsec, _ := strconv.ParseInt((m[2] + "000000000")[:9], 10, 64)
			return time.Unix(sec, nsec), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid time %q: want a duration like 10m, RFC3339 like 2006-01-02T15:04:05Z, or a Unix timestamp: %w", s, state.ErrInvalid)
}
