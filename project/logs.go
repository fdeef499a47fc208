package project

import (
	"context"
	"fmt"
	"io"
	"time"
)

// LogsOptions configure Logs, as `berth logs`'s flags.
type LogsOptions struct {
	Services []string // empty: all
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
	lw := cfg.newLogWatch(name, newLogPrinter(w, opts.LogFormat), func(c *ContainerState) bool {
		return (len(want) == 0 || want[c.Service]) && (opts.Index == 0 || c.Number == opts.Index)
	})
	lw.follow, lw.since, lw.until, lw.tail = opts.Follow, opts.Since, opts.Until, tail
	lw.warn = opts.Warnings
	if !opts.Follow {
		if _, err := lw.step(); err != nil {
			return err
		}
		lw.wg.Wait()
		return lw.firstErr()
	}
	return lw.followLoop(ctx)
}

// followLoop polls until nothing is left to follow, Until passed, or ctx ends. Readers
// blocked on a quiet container when ctx ends finish at its next line or exit.
func (w *logWatch) followLoop(ctx context.Context) error {
	t := time.NewTicker(watchPoll)
	defer t.Stop()
	for {
		exits, err := w.step()
		if err != nil {
			return err
		}
		for _, ev := range exits {
			if err := w.pr.status(ev.c, fmt.Sprintf("exited with code %d", ev.code)); err != nil {
				return err
			}
		}
		if w.idle() || !w.until.IsZero() && time.Now().After(w.until) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (w *logWatch) firstErr() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
