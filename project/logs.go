package project

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/berth-dev/berth/project/internal/logstream"
)

// LogsOptions configure Logs, as `berth logs`'s flags.
type LogsOptions struct {
	Services []string // empty: all but Unattached
	// Unattached are the services with attach: false, left out when Services is empty,
	// as Compose's logs leaves them out until they are named.
	Unattached []string
	// Index selects the replica with this number (0: all); it needs exactly one service.
	Index int
	// Follow keeps printing new output, following containers across restarts, recreates
	// and new replicas, until every container has exited and no command is changing the
	// project, or ctx ends.
	Follow bool
	// Tail is "all" (or empty) or the number of last lines per container ("0": none);
	// containers that appear while following are printed in full.
	Tail string
	// Since and Until bound the entries' times (zero: none). With Follow, Logs returns
	// once Until has passed.
	Since, Until time.Time
	LogFormat
	// Warnings gets a warning for each container that keeps no log (logging driver
	// none), which Logs skips, as Compose; nil prints none.
	Warnings io.Writer
}

// Logs writes the output of the project's containers (not one-off `run` containers) to
// w, each line prefixed Compose-style with the container's service and number
// ("web-1  | "), padded to the longest prefix. Containers are read concurrently; lines
// are written whole. An unknown project wraps ErrNotFound, an unknown service too, and
// a bad Tail or Index ErrInvalid.
func Logs(ctx context.Context, cfg Config, name string, w io.Writer, opts LogsOptions) error {
	tail, err := ParseTail(opts.Tail)
	if err != nil {
		return err
	}
	if opts.Index > 0 && len(opts.Services) != 1 {
		return fmt.Errorf("logs --index %d: name exactly one service: %w", opts.Index, ErrInvalid)
	}
	st, err := cfg.LoadState(name)
	if err != nil {
		return err
	}
	if _, err := (&run{st: st}).selected(opts.Services); err != nil {
		return err
	}
	cfg.restoreSupervisor(name, st)
	want := map[string]bool{}
	for _, s := range opts.Services {
		want[s] = true
	}
	lw := cfg.logWatch(name, logstream.NewPrinter(w, opts.LogFormat), func(c *ContainerState) bool {
		chosen := want[c.Service] || len(want) == 0 && !slices.Contains(opts.Unattached, c.Service)
		return chosen && (opts.Index == 0 || c.Number == opts.Index)
	})
	lw.Follow, lw.Since, lw.Until, lw.Tail = opts.Follow, opts.Since, opts.Until, tail
	lw.Warn = opts.Warnings
	if !opts.Follow {
		if _, err := lw.Step(); err != nil {
			return err
		}
		return lw.Wait()
	}
	return lw.FollowLoop(ctx)
}

// LogFormat is how container output lines are printed.
type LogFormat = logstream.Format

// ParseTail parses a --tail value: "all" (or empty) is every line, otherwise the number
// of last lines per container (0: none). Anything else wraps ErrInvalid.
func ParseTail(s string) (int, error) { return logstream.ParseTail(s) }

// ParseLogTime parses a --since or --until value as Compose does (see
// logstream.ParseLogTime), relative to now.
func ParseLogTime(s string, now time.Time) (time.Time, error) { return logstream.ParseLogTime(s, now) }

// logWatch is a watch of project name's containers that match, printed by pr.
func (cfg Config) logWatch(name string, pr *logstream.Printer, match func(*ContainerState) bool) *logstream.Watch {
	return logstream.NewWatch(logSource{cfg: cfg, name: name}, cfg.engine(), pr, match)
}

// logSource is project name, as a log watch follows it.
type logSource struct {
	cfg  Config
	name string
}

func (s logSource) State() (*State, error) { return s.cfg.LoadState(s.name) }
func (s logSource) Busy() bool             { return s.cfg.paths().Busy(s.name) }

// RestartCount reads the supervisor's records; unreadable, a container counts as not
// restarted yet.
func (s logSource) RestartCount(id string) int {
	recs, _ := s.cfg.loadRestarts(s.name)
	return recs[id].Count
}
