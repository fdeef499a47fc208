package project

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"
	"golang.org/x/sys/unix"
)

// This file follows the output of a project's containers while the project changes
// under it: containers added by a scale or recreate, restarted by `restart`, removed by
// `down`. The engine follows one container until it exits; a logWatch polls the
// project's state and engine states to start readers for new containers and for new
// runs of known ones, resuming each where the last reader stopped.

// watchPoll is how often a follow looks at the project's state.
const watchPoll = 100 * time.Millisecond

// logWatch prints the logs of the project's containers that match.
type logWatch struct {
	cfg    Config
	name   string
	eng    *engine.Engine
	pr     *logPrinter
	match  func(*ContainerState) bool
	follow bool
	start  time.Time // when the watch began: exits before it are not reported
	since  time.Time // first-read bound of containers present at start
	until  time.Time // zero: none
	tail   int       // first read of containers present at start; tailAll: every line

	polled bool // the first poll ran: later containers are new, read in full
	wg     sync.WaitGroup
	mu     sync.Mutex // guards ctrs' reading flags and err
	ctrs   map[string]*watched
	order  []string // IDs in the order seen
	err    error    // first reader error
}

// watched is one container a logWatch knows. Only its reader touches last and lastN
// while reading is set; only the poll loop touches the rest.
type watched struct {
	c        *ContainerState
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
	restart       *RestartPolicy
	stoppedByUser bool
}

// exitEvent is a watched container that exited since the last poll, its logs drained.
type exitEvent struct {
	c    *ContainerState
	code int
}

func (cfg Config) newLogWatch(name string, pr *logPrinter, match func(*ContainerState) bool) *logWatch {
	now := time.Now()
	return &logWatch{cfg: cfg, name: name, eng: cfg.engine(), pr: pr, match: match, start: now,
		tail: tailAll, ctrs: map[string]*watched{}}
}

// step polls the state once: it registers new matching containers, starts readers for
// new containers and new runs, and returns the containers whose exit is newly seen
// (after their logs were printed). A project whose state is gone has no containers.
func (w *logWatch) step() ([]exitEvent, error) {
	st, err := w.cfg.LoadState(w.name)
	if err != nil && !isNotFound(err) {
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
				w.pr.register(c)
			}
			w.ctrs[c.ID].restart, w.ctrs[c.ID].stoppedByUser = c.Restart, c.StoppedByUser
		}
	}
	var exits []exitEvent
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
func (w *logWatch) check(s *watched, inState bool) (exitEvent, bool) {
	w.mu.Lock()
	reading := s.reading
	w.mu.Unlock()
	es, err := w.eng.State(s.c.ID)
	if err != nil {
		if !reading && !inState {
			s.gone = true
		}
		return exitEvent{}, false
	}
	s.status = es
	if reading {
		return exitEvent{}, false
	}
	if s.reads == 0 || !es.StartedAt.Equal(s.readFor) || (w.follow && isLive(es.Status)) {
		if s.reads == 0 || w.follow {
			w.startReader(s, es.StartedAt)
		}
		return exitEvent{}, false
	}
	if es.Status == engine.StatusExited && es.FinishedAt.After(w.start) && !es.FinishedAt.Equal(s.reported) {
		s.reported = es.FinishedAt
		return exitEvent{c: s.c, code: es.ExitCode}, true
	}
	return exitEvent{}, false
}

// readOptions are the engine options of s's next read and how many entries at its
// Since to skip: the first read of a container present at start takes since and tail;
// a new container is read in full; a later read resumes after the last entry printed,
// or, when nothing was printed, at the floor the first read set.
func (w *logWatch) readOptions(s *watched) (engine.LogOptions, int) {
	opts := engine.LogOptions{Follow: w.follow, Until: w.until}
	switch {
	case !s.last.IsZero():
		opts.Since = s.last
		return opts, s.lastN
	case s.reads > 0:
		opts.Since = s.floor
		return opts, 0
	case w.polled && s.c.Created >= w.start.Unix():
		return opts, 0
	}
	opts.Since = w.since
	switch {
	case w.tail == 0:
		if w.start.After(opts.Since) {
			opts.Since = w.start
		}
	case w.tail > 0:
		opts.Tail = w.tail
	}
	s.floor = opts.Since
	if now := time.Now(); now.After(s.floor) {
		s.floor = now
	}
	return opts, 0
}

func (w *logWatch) startReader(s *watched, startedAt time.Time) {
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
			if !w.until.IsZero() && e.Time.After(w.until) {
				return nil
			}
			if e.Time.Equal(s.last) {
				s.lastN++
			} else {
				s.last, s.lastN = e.Time, 1
			}
			return w.pr.line(s.c, e)
		})
		w.mu.Lock()
		defer w.mu.Unlock()
		s.reading = false
		if err != nil && !isNotFound(err) && w.err == nil {
			w.err = err
		}
	}()
}

// idle reports whether nothing is left to follow: no reader running, no watched
// container live or about to be restarted by its policy, no exit unreported, and no
// command changing the project.
func (w *logWatch) idle() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.ctrs {
		if s.gone {
			continue
		}
		if s.reading || isLive(s.status.Status) || !s.status.StartedAt.Equal(s.readFor) {
			return false
		}
		if s.status.Status == engine.StatusExited && (!s.status.FinishedAt.Equal(s.reported) &&
			s.status.FinishedAt.After(w.start) || w.restartPending(s)) {
			return false
		}
	}
	return !w.cfg.projectBusy(w.name)
}

// restartPending reports whether the supervisor will start s's exited container again.
func (w *logWatch) restartPending(s *watched) bool {
	if !s.restart.Restarts() {
		return false
	}
	recs, _ := w.cfg.loadRestarts(w.name) // unreadable: counted as no restart yet
	return s.restart.ShouldRestart(s.status.ExitCode, recs[s.c.ID].Count, s.stoppedByUser)
}

// projectBusy reports whether a command holds the project's lock (an up, restart, down
// ... in progress), without waiting for it and without creating anything.
func (cfg Config) projectBusy(name string) bool {
	dir, err := cfg.projectDir(name)
	if err != nil {
		return false
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return errors.Is(err, unix.EWOULDBLOCK)
	}
	unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return false
}
