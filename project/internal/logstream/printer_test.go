package logstream

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
)

func TestLogPrinterLine(t *testing.T) {
	web := &state.ContainerState{Name: "p-web-1", Service: "web", Number: 1}
	db := &state.ContainerState{Name: "p-database-12", Service: "database", Number: 12}
	at := time.Date(2024, 5, 1, 12, 0, 0, 5, time.UTC)
	tests := []struct {
		name string
		f    Format
		ctrs []*state.ContainerState // registered, in order
		want string                  // the line of web
	}{
		{"padded to longest", Format{}, []*state.ContainerState{web, db}, "web-1        | hello\n"},
		{"alone", Format{}, []*state.ContainerState{web}, "web-1  | hello\n"},
		{"no prefix", Format{NoPrefix: true}, []*state.ContainerState{web, db}, "hello\n"},
		{"timestamps", Format{Timestamps: true}, []*state.ContainerState{web}, "web-1  | 2024-05-01T12:00:00.000000005Z hello\n"},
		{"first color cyan", Format{Color: true}, []*state.ContainerState{web, db}, "\x1b[36mweb-1        | \x1b[0mhello\n"},
		{"second color yellow", Format{Color: true}, []*state.ContainerState{db, web}, "\x1b[33mweb-1        | \x1b[0mhello\n"},
		{"no prefix, no color", Format{Color: true, NoPrefix: true}, []*state.ContainerState{web}, "hello\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			p := NewPrinter(&b, tt.f)
			for _, c := range tt.ctrs {
				p.Register(c)
			}
			if err := p.Line(web, engine.LogEntry{Log: "hello\n", Time: at}); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("line = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLogPrinterColorsPerService(t *testing.T) {
	p := NewPrinter(&bytes.Buffer{}, Format{Color: true})
	seen := map[string]string{}
	for i, svc := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		p.Register(&state.ContainerState{Service: svc, Number: 1})
		p.Register(&state.ContainerState{Service: svc, Number: 2}) // a replica keeps its service's color
		code := p.colors[svc]
		if prev, dup := seen[code]; dup {
			t.Errorf("service %s got color %q, already %s's", svc, code, prev)
		}
		seen[code] = svc
		if code != rainbow[i] {
			t.Errorf("service %s color = %q, want %q", svc, code, rainbow[i])
		}
	}
	p.Register(&state.ContainerState{Service: "k", Number: 1})
	if p.colors["k"] != rainbow[0] {
		t.Errorf("11th service color = %q, want the rainbow to wrap to %q", p.colors["k"], rainbow[0])
	}
}

func TestLogPrinterStatus(t *testing.T) {
	var b bytes.Buffer
	p := NewPrinter(&b, Format{Color: true})
	c := &state.ContainerState{Service: "web", Number: 2}
	p.Register(c)
	p.Status(c, "exited with code 3")
	if want := "\x1b[36mweb-2 exited with code 3\x1b[0m\n"; b.String() != want {
		t.Errorf("status = %q, want %q", b.String(), want)
	}
}

func TestParseTail(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"all", TailAll, false},
		{"", TailAll, false},
		{"0", 0, false},
		{"25", 25, false},
		{"-1", 0, true},
		{"ten", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseTail(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseTail(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, state.ErrInvalid) {
			t.Errorf("ParseTail(%q) error %v does not wrap state.ErrInvalid", tt.in, err)
		}
	}
}

func TestParseLogTime(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	local := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02T15:04:05", s, time.Local)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"", time.Time{}, false},
		{"10m", now.Add(-10 * time.Minute), false},
		{"1h30m", now.Add(-90 * time.Minute), false},
		{"2024-04-30T08:00:00Z", time.Date(2024, 4, 30, 8, 0, 0, 0, time.UTC), false},
		{"2024-04-30T08:00:00.25+02:00", time.Date(2024, 4, 30, 6, 0, 0, 250e6, time.UTC), false},
		{"2024-04-30T08:00:00", local("2024-04-30T08:00:00"), false},
		{"2024-04-30T08:00", local("2024-04-30T08:00:00"), false},
		{"2024-04-30", local("2024-04-30T00:00:00"), false},
		{"1714564800", time.Unix(1714564800, 0), false},
		{"1714564800.5", time.Unix(1714564800, 500e6), false},
		{"yesterday", time.Time{}, true},
		{"2024-13-01", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := ParseLogTime(tt.in, now)
		if !got.Equal(tt.want) || (err != nil) != tt.wantErr {
			t.Errorf("ParseLogTime(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, state.ErrInvalid) {
			t.Errorf("ParseLogTime(%q) error %v does not wrap state.ErrInvalid", tt.in, err)
		}
	}
}

// A hook's line is printed under its own source, as Compose's; the source widens the
// prefixes of the lines that follow.
func TestLogPrinterHookLine(t *testing.T) {
	web := &state.ContainerState{Name: "p-web-1", Service: "web", Number: 1}
	tests := []struct {
		name   string
		f      Format
		source string
		want   string // the hook's line, then web's
	}{
		{"post_start", Format{}, "web-1 ->", "web-1 ->  | hooked\nweb-1     | hello\n"},
		{"pre_start", Format{}, "web pre_start[0] ->", "web pre_start[0] ->  | hooked\nweb-1                | hello\n"},
		{"no prefix", Format{NoPrefix: true}, "web-1 ->", "hooked\nhello\n"},
		{"color of the service", Format{Color: true}, "web-1 ->", "\x1b[36mweb-1 ->  | \x1b[0mhooked\n\x1b[36mweb-1     | \x1b[0mhello\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			p := NewPrinter(&b, tt.f)
			p.Register(web)
			if err := p.HookLine("web", tt.source, "hooked"); err != nil {
				t.Fatal(err)
			}
			if err := p.Line(web, engine.LogEntry{Log: "hello\n"}); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("output = %q, want %q", got, tt.want)
			}
		})
	}
}
