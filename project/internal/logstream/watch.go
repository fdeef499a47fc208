package logstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/plan"
	"github.com/berth-dev/berth/project/internal/state"
)

// A Watch follows the output of a project's containers while the project changes
// under it: containers added by a scale or recreate, restarted by `restart`, removed by
// `down`. The engine follows one container until it exits; a Watch polls the
// project's state and engine states to start readers for new containers and for new
// runs of known ones, resuming each where the last reader stopped.

// Poll is how often a follow looks at the project's state.
const Poll = 100 * time.Millisecond

// Source is the project a Watch follows, as its consumer sees it.
type Source interface {
	// State is the project's recorded state; an error wrapping a not-found error
	// (state.IsNotFound) is a project gone, which has no containers.
	State() (*state.State, error)
	// Busy reports whether a command is changing the project (holds its lock).
	Busy() bool
	// RestartCount is how many times the supervisor restarted container id in a row.
	RestartCount(id string) int
}

// Watch prints the logs of the project's containers that match.
type Watch struct {
	src   Source
	eng   *engine.Engine
	pr    *Printer
	match func(*state.ContainerState) bool
	// Follow keeps readers open on running containers; Start is when the watch began
	// (exits before it are not reported), Since the first-read bound of containers
	// present at start, Until the last (zero: none), Tail the first read of containers
	// present at start (TailAll: every line).
	Follow bool
	Start  time.Time
	Since  time.Time
	Until  time.Time
	Tail   int

	polled bool // the first poll ran: later containers are new, read in full
	wg     sync.WaitGroup
	mu     sync.Mutex // guards ctrs' reading flags and err
	ctrs   map[string]*watched
	order  []string // IDs in the order seen
	err    error    // first reader error
	// Warn is where containers without a log (logging driver none) are warned of;
	// nil: they are not.
	Warn io.Writer
}

// watched is one container a logWatch knows. Only its reader touches last and lastN
// while reading is set; only the poll loop touches the rest.
type watched struct {
	c        *state.ContainerState
	reading  bool
	readFor  time.Time // StartedAt of the run the last reader was started for
	reads    int
	last     time.Time // time of the last entry printed
	lastN    int       // entries printed with exactly that time
	reported time.Time // FinishedAt of the last exit reported
	floor    time.Time // where a read resumes when nothing was printed yet
	status   engine.State
	gone     bool
	// restart and stoppedByUser are the container's policy and user-stop mark, as last
	// polled: an exited container the supervisor will start again is not finished.
	restart       *state.RestartPolicy
	stoppedByUser bool
	// noLog (guarded by mu): the container keeps no log (logging driver none), which
	// is not read again.
	noLog bool
}

// Exit is a watched container that exited since the last poll, its logs drained.
type Exit struct {
	C    *state.ContainerState
	Code int
}

// NewWatch returns a watch of src's containers that match, read from eng and printed
// by pr; it starts now, with every line of the containers present (TailAll).
func NewWatch(src Source, eng *engine.Engine, pr *Printer, match func(*state.ContainerState) bool) *Watch {
	return &Watch{src: src, eng: eng, pr: pr, match: match, Start: time.Now(), Tail: TailAll, ctrs: map[string]*watched{}}
}

// Matches reports whether the watch follows c.
func (w *Watch) Matches(c *state.ContainerState) bool { return w.match(c) }

// Printer is the printer the watch prints with.
func (w *Watch) Printer() *Printer { return w.pr }

// Step polls the state once: it registers new matching containers, starts readers for
// new containers and new runs, and returns the containers whose exit is newly seen
// (after their logs were printed). A project whose state is gone has no containers.
func (w *Watch) Step() ([]Exit, error) {
	st, err := w.src.State()
	if err != nil && !state.IsNotFound(err) {
		return nil, err
	}
	seen := map[string]bool{}
	if st != nil {
		for _, c := range st.Containers {
			if c.Oneoff() || !w.match(c) {
				continue
			}
			seen[c.ID] = true
			if w.ctrs[c.ID] == nil {
				w.ctrs[c.ID] = &watched{c: c}
				w.order = append(w.order, c.ID)
				w.pr.Register(c)
			}
			w.ctrs[c.ID].restart, w.ctrs[c.ID].stoppedByUser = c.Restart, c.StoppedByUser
		}
	}
	var exits []Exit
	for _, id := range w.order {
		s := w.ctrs[id]
		if s.gone {
			continue
		}
		if ev, ok := w.check(s, seen[id]); ok {
			exits = append(exits, ev)
		}
	}
	w.polled = true
	w.mu.Lock()
	defer w.mu.Unlock()
	return exits, w.err
}

// check looks at one container: it starts a reader when the container has a run whose
// logs were not read yet, and reports its exit once those logs are printed.
func (w *Watch) check(s *watched, inState bool) (Exit, bool) {
	w.mu.Lock()
	reading, noLog := s.reading, s.noLog
	w.mu.Unlock()
	es, err := w.eng.State(s.c.ID)
	if err != nil {
		if !reading && !inState {
			s.gone = true
		}
		return Exit{}, false
	}
	s.status = es
	if reading {
		return Exit{}, false
	}
	if !noLog && (s.reads == 0 || !es.StartedAt.Equal(s.readFor) || (w.Follow && plan.IsLive(es.Status))) {
		if s.reads == 0 || w.Follow {
			w.startReader(s, es.StartedAt)
		}
		return Exit{}, false
	}
	if es.Status == engine.StatusExited && es.FinishedAt.After(w.Start) && !es.FinishedAt.Equal(s.reported) {
		s.reported = es.FinishedAt
		return Exit{C: s.c, Code: es.ExitCode}, true
	}
	return Exit{}, false
}

// readOptions are the engine options of s's next read and how many entries at its
// Since to skip: the first read of a container present at start takes since and tail;
// a new container is read in full; a later read resumes after the last entry printed,
// or, when nothing was printed, at the floor the first read set.
func (w *Watch) readOptions(s *watched) (engine.LogOptions, int) {
	opts := engine.LogOptions{Follow: w.Follow, Until: w.Until}
	switch {
	case !s.last.IsZero():
		opts.Since = s.last
		return opts, s.lastN
	case s.reads > 0:
		opts.Since = s.floor
		return opts, 0
	case w.polled && s.c.Created >= w.Start.Unix():
		return opts, 0
	}
	opts.Since = w.Since
	switch {
	case w.Tail == 0:
		if w.Start.After(opts.Since) {
			opts.Since = w.Start
		}
	case w.Tail > 0:
		opts.Tail = w.Tail
	}
	s.floor = opts.Since
	if now := time.Now(); now.After(s.floor) {
		s.floor = now
	}
	return opts, 0
}

func (w *Watch) startReader(s *watched, startedAt time.Time) {
	opts, skip := w.readOptions(s)
	s.readFor, s.reads = startedAt, s.reads+1
	w.mu.Lock()
	s.reading = true
	w.mu.Unlock()
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		err := w.eng.Logs(s.c.ID, opts, func(e engine.LogEntry) error {
			if skip > 0 && e.Time.Equal(s.last) {
				skip--
				return nil
			}
			skip = 0
			if !w.Until.IsZero() && e.Time.After(w.Until) {
				return nil
			}
			if e.Time.Equal(s.last) {
				s.lastN++
			} else {
				s.last, s.lastN = e.Time, 1
			}
			return w.pr.Line(s.c, e)
		})
		w.mu.Lock()
		defer w.mu.Unlock()
		s.reading = false
		if errors.Is(err, engine.ErrNoLog) { // logging driver none: warned of, as Compose
			s.noLog, err = true, nil
			if w.Warn != nil {
				fmt.Fprintf(w.Warn, "warning: can't retrieve logs for %q: %v\n", s.c.Name, engine.ErrNoLog)
			}
		}
		if err != nil && !state.IsNotFound(err) && w.err == nil {
			w.err = err
		}
	}()
}

// Idle reports whether nothing is left to follow: no reader running, no watched
// container live or about to be restarted by its policy, no exit unreported, and no
// command changing the project.
func (w *Watch) Idle() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.ctrs {
		if s.gone {
			continue
		}
		if s.reading || plan.IsLive(s.status.Status) || !s.status.StartedAt.Equal(s.readFor) {
			return false
		}
		if s.status.Status == engine.StatusExited && (!s.status.FinishedAt.Equal(s.reported) &&
			s.status.FinishedAt.After(w.Start) || w.restartPending(s)) {
			return false
		}
	}
	return !w.src.Busy()
}

// restartPending reports whether the supervisor will start s's exited container again.
func (w *Watch) restartPending(s *watched) bool {
	if !s.restart.Restarts() {
		return false
	}
	return s.restart.ShouldRestart(s.status.ExitCode, w.src.RestartCount(s.c.ID), s.stoppedByUser)
}

// FollowLoop polls until nothing is left to follow, Until passed, or ctx ends. Readers
// blocked on a quiet container when ctx ends finish at its next line or exit.
func (w *Watch) FollowLoop(ctx context.Context) error {
	t := time.NewTicker(Poll)
	defer t.Stop()
	for {
		exits, err := w.Step()
		if err != nil {
			return err
		}
		for _, ev := range exits {
			if err := w.pr.Status(ev.C, fmt.Sprintf("exited with code %d", ev.Code)); err != nil {
				return err
			}
		}
		if w.Idle() || !w.Until.IsZero() && time.Now().After(w.Until) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Wait waits for the readers started so far and returns the first error one met.
func (w *Watch) Wait() error {
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
