// Package progress renders the status lines of berth's verbs as Compose's progress
// display does: plain lines, a live block redrawn in place on a terminal, JSON lines,
// or nothing.
//
// The verbs (package project) write their progress as lines of text, one event a line,
// as Compose's plain display prints them:
//
//	" Container web-1  Started"
//	" Image nginx  Warning: pull access denied"
//
// that is a space, the resource kind and name (the event's ID), two spaces, the status
// text and optional details. ParseLine reads one; a line of another shape (a builder's
// output, a notice) is not an event and is passed through as it is, except in JSON and
// quiet mode. A Writer is safe for concurrent use; Close ends a live display (its last
// frame stays on the screen) and must be called once the command is done.
//
// The package imports nothing of berth: it only formats.
package progress

import (
	"fmt"
	"io"
	"strings"
)

// Mode is how progress is shown: Compose's --progress values.
type Mode string

// The modes of --progress and COMPOSE_PROGRESS.
const (
	Auto  Mode = "auto"
	TTY   Mode = "tty"
	Plain Mode = "plain"
	Quiet Mode = "quiet"
	JSON  Mode = "json"
)

// Modes are the values --progress accepts, in Compose's order.
var Modes = []Mode{Auto, TTY, Plain, JSON, Quiet}

// Status is the state of an event's resource, as Compose's api.EventStatus.
type Status int

// The statuses: a resource being worked on shows a spinner, the others a mark.
const (
	Working Status = iota
	Done
	Warning
	Error
)

// String is the status as Compose's JSON progress names it.
func (s Status) String() string {
	return [...]string{"Working", "Done", "Warning", "Error"}[s]
}

// Event is one status change of one resource.
type Event struct {
	ID      string // "Container web-1", "Network app_default"
	Status  Status
	Text    string // "Started", "Creating"
	Details string
}

// working are the status texts of an operation in progress (Compose's api.Status*
// constants ending in -ing, and Waiting).
var working = map[string]bool{"Creating": true, "Starting": true, "Stopping": true, "Killing": true,
	"Removing": true, "Building": true, "Pulling": true, "Waiting": true, "Restarting": true,
	"Recreating": true, "Copying": true, "Exporting": true, "Committing": true, "Downloading": true,
	"Pausing": true, "Unpausing": true, "Pushing": true, "Configuring": true}

// ParseLine reads an event line (without its newline); ok is false for any other line.
func ParseLine(line string) (e Event, ok bool) {
	rest, ok := strings.CutPrefix(line, " ")
	if !ok || rest == "" || rest[0] < 'A' || rest[0] > 'Z' {
		return Event{}, false
	}
	id, status, ok := strings.Cut(rest, "  ")
	if !ok || !strings.Contains(id, " ") || status == "" || strings.HasPrefix(status, " ") {
		return Event{}, false
	}
	e.ID = id
	e.Text, e.Details, _ = strings.Cut(status, " ")
	e.Text = strings.TrimSuffix(e.Text, ":")
	switch {
	case e.Text == "Warning":
		e.Status = Warning
	case e.Text == "Error":
		e.Status = Error
	case working[e.Text]:
		e.Status = Working
	default:
		e.Status = Done
	}
	return e, true
}

// parseLayer reads a layer line of an image pull ("0123456789ab: done", as package
// engine/image writes them): on a terminal it is a row under its image, as Compose's.
func parseLayer(line string) (Event, bool) {
	hash, what, ok := strings.Cut(line, ": ")
	if !ok || len(hash) != 12 || strings.Trim(hash, "0123456789abcdef") != "" || what == "" {
		return Event{}, false
	}
	return Event{ID: hash, Status: Done, Text: what}, true
}

// Options shape a Writer.
type Options struct {
	// DryRun prefixes every event with Compose's " DRY-RUN MODE - ".
	DryRun bool
	// Operation names the block's header on a terminal ("[+] up 2/3").
	Operation string
	// Attached drops Starting and Started on a terminal, as Compose's does while the
	// containers' output follows on the same screen, and leaves a block once nothing
	// in it is working: later events start a new one below that output.
	Attached bool
	// Color colors the terminal display (--ansi, NO_COLOR).
	Color bool
	// Info, when set, takes the lines that are not events (notices, a builder's output)
	// in every mode but JSON, as Compose's COMPOSE_STATUS_STDOUT sends its notices to
	// stdout.
	Info io.Writer
	// Width is the terminal's width in cells for TTY; 0 asks the terminal of out.
	Width func() int
}

// DryRunPrefix marks the events of a dry run, as Compose's.
const DryRunPrefix = " DRY-RUN MODE - "

// Writer takes progress lines and shows them in its mode.
type Writer interface {
	io.Writer
	// Close shows the final state and stops a live display. Later writes print
	// plain lines.
	Close() error
}

// New returns the Writer of mode (not Auto: the caller resolves it with Resolve) on out.
func New(mode Mode, out io.Writer, o Options) (Writer, error) {
	switch mode {
	case Plain:
		return newLineWriter(out, o.Info, func(l string) string { return plainLine(l, o.DryRun) }), nil
	case Quiet:
		return newLineWriter(out, o.Info, quietLine), nil
	case JSON:
		return newLineWriter(out, nil, func(l string) string { return jsonLine(l, o.DryRun) }), nil
	case TTY:
		return newTerm(out, o), nil
	}
	return nil, fmt.Errorf("unsupported --progress value %q", mode)
}

// Resolve picks the mode Compose's selectEventProcessor picks: progress is the flag's
// or COMPOSE_PROGRESS's value ("" is auto), ansi is "never", "always" or "auto", and
// terminal says whether the progress stream (stderr) is a terminal.
func Resolve(progress, ansi string, terminal bool) (Mode, error) {
	switch Mode(progress) {
	case "", Auto:
		if ansi != "never" && terminal {
			return TTY, nil
		}
		return Plain, nil
	case TTY:
		if ansi == "never" {
			return "", fmt.Errorf("can't use --progress tty while ANSI support is disabled")
		}
		return TTY, nil
	case Plain:
		if ansi == "always" {
			return "", fmt.Errorf("can't use --progress plain while ANSI support is forced")
		}
		return Plain, nil
	case Quiet, "none":
		return Quiet, nil
	case JSON:
		return JSON, nil
	}
	return "", fmt.Errorf("unsupported --progress value %q", progress)
}
