package progress

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
)

// lineWriter cuts what it is given into lines and writes each through format (which
// returns the text to print, "" for nothing); a line that is not an event goes to info
// instead when info is set.
type lineWriter struct {
	mu      sync.Mutex
	out     io.Writer
	info    io.Writer
	format  func(line string) string
	partial []byte
}

func newLineWriter(out, info io.Writer, format func(string) string) *lineWriter {
	return &lineWriter{out: out, info: info, format: format}
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, b...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := string(w.partial[:i])
		w.partial = w.partial[i+1:]
		if err := w.line(line); err != nil {
			return 0, err
		}
	}
}

func (w *lineWriter) line(line string) error {
	if _, ok := ParseLine(line); !ok && w.info != nil {
		_, err := io.WriteString(w.info, line+"\n")
		return err
	}
	s := w.format(line)
	if s == "" {
		return nil
	}
	_, err := io.WriteString(w.out, s)
	return err
}

// Close prints a last line left without its newline.
func (w *lineWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) == 0 {
		return nil
	}
	line := string(w.partial)
	w.partial = nil
	return w.line(line)
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
