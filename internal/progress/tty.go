package progress

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// tickInterval is how often a live block is redrawn while something is working (the
// spinner's frame and the timers), as Compose's.
const tickInterval = 100 * time.Millisecond

// node is one row of the live block: the last event of one resource and its times.
type node struct {
	Event
	started, ended time.Time
	layer          bool // a layer of an image being pulled: indented
}

// term is the TTY Writer: one row per resource, redrawn in place, as Compose's
// display (cmd/display/tty*.go): " ✔ Container web-1  Started  0.3s", a spinner
// while the resource is working. A line that is not an event ends the block (it stays
// on the screen) and is printed below it; the next event starts a new block.
type term struct {
	mu       sync.Mutex
	out      io.Writer
	o        Options
	now      func() time.Time
	size     func() (width, height int)
	partial  []byte
	nodes    []*node
	byID     map[string]*node
	painted  []string      // the rows of the block on the screen, under which the cursor is
	stopTick chan struct{} // closed to stop the redraw goroutine; nil: none runs
	tickDone chan struct{}
}

func newTerm(out io.Writer, o Options) *term {
	t := &term{out: out, o: o, now: time.Now, byID: map[string]*node{}}
	t.size = func() (int, int) { return termSize(out, o.Width) }
	return t
}

// termSize is the width and height of out's terminal (80x24 when unknown); width, if
// given, overrides the width.
func termSize(out io.Writer, width func() int) (int, int) {
	w, h := 80, 24
	if f, ok := out.(*os.File); ok {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col > 0 && ws.Row > 0 {
			w, h = int(ws.Col), int(ws.Row)
		}
	}
	if width != nil {
		w = width()
	}
	return w, h
}

func (t *term) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.partial = append(t.partial, b...)
	var other bytes.Buffer
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			break
		}
		line := string(t.partial[:i])
		t.partial = t.partial[i+1:]
		e, ok := ParseLine(line)
		layer := false
		if !ok {
			e, layer = parseLayer(line)
			ok = layer
		}
		if !ok && t.o.Info != nil {
			t.endBlock()
			if _, err := io.WriteString(t.o.Info, line+"\n"); err != nil {
				return 0, err
			}
			continue
		}
		if !ok {
			t.endBlock()
			other.WriteString(line + "\n")
			continue
		}
		if other.Len() > 0 {
			if _, err := t.out.Write(other.Bytes()); err != nil {
				return 0, err
			}
			other.Reset()
		}
		t.apply(e, layer)
	}
	if other.Len() > 0 {
		if _, err := t.out.Write(other.Bytes()); err != nil {
			return 0, err
		}
	}
	t.repaint()
	t.settle()
	t.tick()
	return len(b), nil
}

// settle leaves a finished block on the screen and forgets it when the containers'
// output follows on the same screen (Attached): the next events start a new block
// below that output instead of redrawing over it.
func (t *term) settle() {
	if t.o.Attached && !t.working() {
		t.nodes, t.byID, t.painted = nil, map[string]*node{}, nil
	}
}

// apply records e on its row; a layer's row is indented under its image.
func (t *term) apply(e Event, layer bool) {
	if t.o.Attached && (e.Text == "Starting" || e.Text == "Started") {
		return
	}
	now := t.now()
	n := t.byID[e.ID]
	if n == nil {
		n = &node{started: now, layer: layer}
		t.byID[e.ID] = n
		t.nodes = append(t.nodes, n)
	}
	if e.Status == Working {
		n.ended = time.Time{} // the timer runs from the first event, as Compose's
	}
	n.Event = e
	if e.Status != Working && n.ended.IsZero() {
		n.ended = now
	}
}

// working reports whether a row shows a spinner.
func (t *term) working() bool {
	for _, n := range t.nodes {
		if n.Status == Working {
			return true
		}
	}
	return false
}

// tick starts the redraw goroutine while something is working; it stops itself when
// nothing is.
func (t *term) tick() {
	if t.stopTick != nil || !t.working() {
		return
	}
	stop, done := make(chan struct{}), make(chan struct{})
	t.stopTick, t.tickDone = stop, done
	go func() {
		defer close(done)
		ticker := time.NewTicker(tickInterval)
		defer ticker.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ticker.C:
			}
			t.mu.Lock()
			if t.stopTick != stop { // stopped while waiting for the lock
				t.mu.Unlock()
				return
			}
			t.repaint()
			idle := !t.working()
			if idle {
				t.stopTick = nil
				t.settle()
			}
			t.mu.Unlock()
			if idle {
				return
			}
		}
	}()
}

// stopTicking stops the redraw goroutine and waits for it; t.mu is held and released
// while waiting.
func (t *term) stopTicking() {
	if t.stopTick == nil {
		return
	}
	stop, done := t.stopTick, t.tickDone
	t.stopTick = nil
	close(stop)
	t.mu.Unlock()
	<-done
	t.mu.Lock()
}

// endBlock leaves the block as it is on the screen and forgets it.
func (t *term) endBlock() {
	t.stopTicking()
	t.repaint()
	t.nodes, t.byID, t.painted = nil, map[string]*node{}, nil // left on the screen
}

func (t *term) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.endBlock()
	if len(t.partial) > 0 {
		_, err := t.out.Write(append(t.partial, '\n'))
		t.partial = nil
		return err
	}
	return nil
}

// repaint draws the block over the one painted before, in one write, rewriting only
// the rows that changed (as Compose's screen).
func (t *term) repaint() {
	if len(t.nodes) == 0 {
		return
	}
	width, height := t.size()
	lines := t.frame(width, height)
	if slices.Equal(lines, t.painted) {
		return
	}
	var b strings.Builder
	b.WriteString("\x1b[?25l") // hide the cursor
	if n := len(t.painted); n > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", n)
	}
	b.WriteString("\r")
	for i, l := range lines {
		if i < len(t.painted) && t.painted[i] == l {
			b.WriteString("\n")
			continue
		}
		b.WriteString("\x1b[2K" + l + "\n")
	}
	if extra := len(t.painted) - len(lines); extra > 0 {
		b.WriteString(strings.Repeat("\x1b[2K\n", extra))
		fmt.Fprintf(&b, "\x1b[%dA", extra)
	}
	b.WriteString("\x1b[?25h")
	t.painted = lines
	_, _ = io.WriteString(t.out, b.String())
}

// frame is the block: a header and one row per resource, each at most width cells, at
// most height lines.
func (t *term) frame(width, height int) []string {
	done := 0
	for _, n := range t.nodes {
		if n.Status != Working {
			done++
		}
	}
	op := t.o.Operation
	if op == "" {
		op = "Running"
	}
	lines := []string{clip(fmt.Sprintf("[+] %s %d/%d", op, done, len(t.nodes)), width)}
	rows := t.nodes
	more := 0
	if limit := max(height-2, 1); len(rows) > limit {
		more = len(rows) - (limit - 1)
		rows = rows[:limit-1]
	}
	idCells, timerCells := 0, 0
	now := t.now()
	for _, n := range rows {
		idCells = max(idCells, cells(n.ID)+map[bool]int{true: 2}[n.layer])
		timerCells = max(timerCells, cells(elapsed(n, now)))
	}
	for _, n := range rows {
		lines = append(lines, t.row(n, now, idCells, timerCells, width))
	}
	if more > 0 {
		lines = append(lines, clip(fmt.Sprintf(" ... %d more", more), width))
	}
	return lines
}

// spinner are the frames of a working row's glyph, as Compose's.
var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// row is " ✔ Container web-1  Started     0.3s": the glyph, the ID padded to the
// widest, the status and details, and the timer right-aligned at width.
func (t *term) row(n *node, now time.Time, idCells, timerCells, width int) string {
	glyph, color := "✔", green
	switch n.Status {
	case Working:
		glyph, color = spinner[int(now.Sub(n.started)/tickInterval)%len(spinner)], yellow
	case Warning:
		glyph, color = "!", boldYellow
	case Error:
		glyph, color = "✘", boldRed
	}
	prefix := ""
	if t.o.DryRun {
		prefix = DryRunPrefix
	}
	status := n.Text
	if n.Details != "" {
		status += " " + n.Details
	}
	timer := elapsed(n, now)
	id := n.ID
	if n.layer {
		id = "  " + id
	}
	left := " " + glyph + prefix + " " + pad(id, idCells) + "  "
	room := width - cells(left) - timerCells - 2
	status = clip(status, max(room, 0))
	fill := max(width-cells(left)-cells(status)-cells(timer)-1, 1)
	plain := left + status + strings.Repeat(" ", fill) + timer
	if !t.o.Color || cells(plain) > width {
		return clip(plain, width)
	}
	if n.Status == Working {
		color = nil
	}
	statusColor := color
	if n.Status == Done {
		statusColor = green
	}
	return " " + paint(glyph, color) + paint(prefix, cyan) + " " + pad(id, idCells) + "  " +
		paint(status, statusColor) + strings.Repeat(" ", fill) + paint(timer, blue)
}

// elapsed is a row's timer: the time it has worked, or worked until done.
func elapsed(n *node, now time.Time) string {
	end := n.ended
	if n.Status == Working || end.IsZero() {
		end = now
	}
	return fmt.Sprintf("%.1fs", end.Sub(n.started).Seconds())
}

type colorCode = []string

var (
	green      = colorCode{"\x1b[32m"}
	yellow     = colorCode{"\x1b[33m"}
	boldYellow = colorCode{"\x1b[33;1m"}
	boldRed    = colorCode{"\x1b[31;1m"}
	blue       = colorCode{"\x1b[34m"}
	cyan       = colorCode{"\x1b[36m"}
)

func paint(s string, c colorCode) string {
	if c == nil || s == "" {
		return s
	}
	return c[0] + s + "\x1b[0m"
}

// cells is the width of s on a terminal: berth's IDs and statuses are narrow runes.
func cells(s string) int { return utf8.RuneCountInString(s) }

func pad(s string, n int) string { return s + strings.Repeat(" ", max(n-cells(s), 0)) }

// clip cuts s to n cells.
func clip(s string, n int) string {
	if cells(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:max(n, 0)])
}
