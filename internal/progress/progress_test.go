package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		line string
		want Event
		ok   bool
	}{
		{" Container web-1  Started", Event{ID: "Container web-1", Status: Done, Text: "Started"}, true},
		{" Container web-1  Creating", Event{ID: "Container web-1", Status: Working, Text: "Creating"}, true},
		{" Container db-1  Waiting", Event{ID: "Container db-1", Status: Working, Text: "Waiting"}, true},
		{" Network app_default  Removed", Event{ID: "Network app_default", Status: Done, Text: "Removed"}, true},
		{" Image nginx  Warning: pull access denied", Event{ID: "Image nginx", Status: Warning, Text: "Warning", Details: "pull access denied"}, true},
		{" Container x  Error boom", Event{ID: "Container x", Status: Error, Text: "Error", Details: "boom"}, true},
		{"Step 1/3 : FROM alpine", Event{}, false},
		{"no container to kill", Event{}, false},
		{" lowercase x  Started", Event{}, false},
		{" Container  Started", Event{}, false},
		{"", Event{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseLine(tt.line)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseLine(%q) = %+v, %v, want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		progress, ansi string
		terminal       bool
		want           Mode
		err            string
	}{
		{"", "auto", true, TTY, ""},
		{"", "auto", false, Plain, ""},
		{"auto", "never", true, Plain, ""},
		{"auto", "always", false, Plain, ""},
		{"tty", "auto", false, TTY, ""},
		{"tty", "never", true, "", "can't use --progress tty while ANSI support is disabled"},
		{"plain", "always", true, "", "can't use --progress plain while ANSI support is forced"},
		{"plain", "auto", true, Plain, ""},
		{"quiet", "auto", true, Quiet, ""},
		{"none", "auto", true, Quiet, ""},
		{"json", "never", false, JSON, ""},
		{"fancy", "auto", true, "", `unsupported --progress value "fancy"`},
	}
	for _, tt := range tests {
		got, err := Resolve(tt.progress, tt.ansi, tt.terminal)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("Resolve(%q, %q, %v) = %q, %v, want %q, %q", tt.progress, tt.ansi, tt.terminal, got, err, tt.want, tt.err)
		}
	}
}

const lines = " Network p_default  Created\n Container p-web-1  Creating\nbuilder says hi\n Container p-web-1  Created\n"

func TestLineModes(t *testing.T) {
	tests := []struct {
		mode   Mode
		dryRun bool
		want   string
	}{
		{Plain, false, lines},
		{Plain, true, " DRY-RUN MODE - Network p_default  Created\n DRY-RUN MODE - Container p-web-1  Creating\nbuilder says hi\n DRY-RUN MODE - Container p-web-1  Created\n"},
		{Quiet, false, "builder says hi\n"},
		{JSON, false, `{"id":"Network p_default","status":"Done","text":"Created"}
{"id":"Container p-web-1","status":"Working","text":"Creating"}
{"id":"Compose","status":"Done","details":"builder says hi"}
{"id":"Container p-web-1","status":"Done","text":"Created"}
`},
		{JSON, true, `{"dry-run":true,"id":"Network p_default","status":"Done","text":"Created"}
{"dry-run":true,"id":"Container p-web-1","status":"Working","text":"Creating"}
{"dry-run":true,"id":"Compose","status":"Done","details":"builder says hi"}
{"dry-run":true,"id":"Container p-web-1","status":"Done","text":"Created"}
`},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		w, err := New(tt.mode, &out, Options{DryRun: tt.dryRun})
		if err != nil {
			t.Fatal(err)
		}
		// written in pieces that cut lines, as concurrent Fprintf calls do not
		for _, piece := range []string{lines[:10], lines[10:40], lines[40:]} {
			if _, err := w.Write([]byte(piece)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, out.String()); diff != "" {
			t.Errorf("%s dry-run=%v output (-want +got):\n%s", tt.mode, tt.dryRun, diff)
		}
	}
}

func TestInfo(t *testing.T) {
	for _, mode := range []Mode{Plain, Quiet, TTY} {
		var out, info bytes.Buffer
		w, err := New(mode, &out, Options{Info: &info, Width: func() int { return 60 }})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(lines)); err != nil {
			t.Fatal(err)
		}
		_ = w.Close()
		if info.String() != "builder says hi\n" || strings.Contains(out.String(), "builder") {
			t.Errorf("%s: info %q, progress %q: want the notice on info only", mode, info.String(), out.String())
		}
	}
}

// screenOf replays what the TTY writer wrote on a fake screen of text rows: cursor up,
// erase line, carriage return and newlines, colors and cursor visibility ignored.
func screenOf(s string) []string {
	var rows []string
	y := 0
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, "\x1b["):
			end := strings.IndexAny(s[2:], "ABCDHJKlhm") + 2
			seq := s[2:end]
			switch s[end] {
			case 'A':
				n := 1
				if seq != "" {
					n = atoi(seq)
				}
				y -= n
			case 'K':
				if y < len(rows) {
					rows[y] = ""
				}
			}
			s = s[end+1:]
		case s[0] == '\r':
			s = s[1:]
		case s[0] == '\n':
			y++
			s = s[1:]
		default:
			i := strings.IndexAny(s, "\x1b\r\n")
			if i < 0 {
				i = len(s)
			}
			for len(rows) <= y {
				rows = append(rows, "")
			}
			rows[y] += s[:i]
			s = s[i:]
		}
	}
	return rows
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestTTY(t *testing.T) {
	var out bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := newTerm(&out, Options{Operation: "up", Width: func() int { return 44 }})
	w.now = func() time.Time { return clock }
	write := func(s string) {
		t.Helper()
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	write(" Network p_default  Created\n Container p-web-1  Creating\n")
	want := []string{
		"[+] up 1/2",
		" ✔ Network p_default  Created          0.0s",
		" ⠋ Container p-web-1  Creating         0.0s",
	}
	if diff := cmp.Diff(want, screenOf(out.String())); diff != "" {
		t.Errorf("first frame (-want +got):\n%s", diff)
	}
	clock = clock.Add(300 * time.Millisecond)
	write(" Container p-web-1  Created\n")
	want[0] = "[+] up 2/2"
	want[2] = " ✔ Container p-web-1  Created          0.3s"
	if diff := cmp.Diff(want, screenOf(out.String())); diff != "" {
		t.Errorf("redrawn in place (-want +got):\n%s", diff)
	}
	write("a notice\n Container p-web-1  Starting\n")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want = append(want, "a notice", "[+] up 0/1", " ⠋ Container p-web-1  Starting         0.0s")
	if diff := cmp.Diff(want, screenOf(out.String())); diff != "" {
		t.Errorf("after a notice, a new block (-want +got):\n%s", diff)
	}
}

func TestTTYLayers(t *testing.T) {
	var out bytes.Buffer
	w := newTerm(&out, Options{Operation: "up", Width: func() int { return 50 }})
	w.now = func() time.Time { return time.Time{} }
	if _, err := w.Write([]byte(" Image alpine  Pulling\n0123456789ab: done\n Image alpine  Pulled\n")); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	want := []string{
		"[+] up 2/2",
		" ✔ Image alpine    Pulled                    0.0s",
		" ✔   0123456789ab  done                      0.0s",
	}
	if diff := cmp.Diff(want, screenOf(out.String())); diff != "" {
		t.Errorf("layers in the block (-want +got):\n%s", diff)
	}
}

func TestTTYAttachedDropsStarts(t *testing.T) {
	var out bytes.Buffer
	w := newTerm(&out, Options{Attached: true, DryRun: true, Width: func() int { return 60 }})
	if _, err := w.Write([]byte(" Container a-1  Starting\n Container a-1  Started\n Container b-1  Created\n")); err != nil {
		t.Fatal(err)
	}
	// the container's output, then its removal: a new block below the output
	out.WriteString("hello from b\n")
	if _, err := w.Write([]byte(" Container b-1  Removing\n Container b-1  Removed\n")); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	got := screenOf(out.String())
	if len(got) != 5 || !strings.HasPrefix(got[1], " ✔ DRY-RUN MODE -  Container b-1  Created") || got[2] != "hello from b" ||
		!strings.HasPrefix(got[4], " ✔ DRY-RUN MODE -  Container b-1  Removed") {
		t.Errorf("attached TTY = %q, want Created, the output, then a block with Removed", got)
	}
}
