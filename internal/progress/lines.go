package progress

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
)

// lineWriter cuts what it is given into lines and writes each through format (which
// returns the text to print, "" for nothing).
type lineWriter struct {
	mu      sync.Mutex
	out     io.Writer
	format  func(line string) string
	partial []byte
}

func newLineWriter(out io.Writer, format func(string) string) *lineWriter {
	return &lineWriter{out: out, format: format}
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, b...)
	var out bytes.Buffer
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		out.WriteString(w.format(string(w.partial[:i])))
		w.partial = w.partial[i+1:]
	}
	if out.Len() > 0 {
		if _, err := w.out.Write(out.Bytes()); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

// Close prints a last line left without its newline.
func (w *lineWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) == 0 {
		return nil
	}
	s := w.format(string(w.partial))
	w.partial = nil
	_, err := io.WriteString(w.out, s)
	return err
}

// plainLine is an event line as berth prints it (with the dry-run prefix), and any
// other line unchanged.
func plainLine(line string, dryRun bool) string {
	if _, ok := ParseLine(line); ok && dryRun {
		return DryRunPrefix + line[1:] + "\n"
	}
	return line + "\n"
}

// quietLine drops events and keeps other lines (warnings and notices are not progress).
func quietLine(line string) string {
	if _, ok := ParseLine(line); ok {
		return ""
	}
	return line + "\n"
}

// jsonMessage is one line of Compose's --progress json (cmd/display/json.go).
type jsonMessage struct {
	DryRun  bool   `json:"dry-run,omitempty"`
	ID      string `json:"id,omitempty"`
	Status  string `json:"status,omitempty"`
	Text    string `json:"text,omitempty"`
	Details string `json:"details,omitempty"`
}

// jsonLine is an event as Compose's JSON object; another line is a Compose-level
// message (id "Compose", as Compose's notices), so that the stream stays JSON.
func jsonLine(line string, dryRun bool) string {
	e, ok := ParseLine(line)
	if !ok {
		if line == "" {
			return ""
		}
		e = Event{ID: "Compose", Status: Done, Details: line}
	}
	b, err := json.Marshal(jsonMessage{DryRun: dryRun, ID: e.ID, Status: e.Status.String(), Text: e.Text, Details: e.Details})
	if err != nil {
		return ""
	}
	return string(b) + "\n"
}
