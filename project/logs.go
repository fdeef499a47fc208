package project

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"
)

// LogsOptions configure Logs, as `berth logs`'s flags.
type LogsOptions struct {
	Services   []string // empty: all
	Follow     bool
	Tail       int // last N lines per container; 0: all
	Timestamps bool
	NoPrefix   bool
}

// Logs writes the output of the project's containers to w, each line prefixed
// Compose-style with the container's service and number ("web-1  | "), padded to the
// longest prefix. Containers are read concurrently; lines are written whole. With Follow
// it returns when every container has exited or ctx ends.
func Logs(ctx context.Context, cfg Config, name string, w io.Writer, opts LogsOptions) error {
	st, err := cfg.LoadState(name)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, s := range opts.Services {
		want[s] = true
	}
	var ctrs []*ContainerState
	width := 0
	for _, c := range st.Containers {
		if (len(want) == 0 || want[c.Service]) && !c.oneoff() {
			ctrs = append(ctrs, c)
			width = max(width, len(logPrefix(c)))
		}
	}
	eng := cfg.engine()
	var mu sync.Mutex
	errs := make(chan error, len(ctrs))
	for _, c := range ctrs {
		prefix := ""
		if !opts.NoPrefix {
			prefix = fmt.Sprintf("%-*s | ", width, logPrefix(c))
		}
		go func() {
			errs <- eng.Logs(c.ID, engine.LogOptions{Tail: opts.Tail, Follow: opts.Follow}, func(e engine.LogEntry) error {
				line := strings.TrimRight(e.Log, "\n")
				if opts.Timestamps {
					line = e.Time.Format(time.RFC3339Nano) + " " + line
				}
				mu.Lock()
				defer mu.Unlock()
				_, err := fmt.Fprintf(w, "%s%s\n", prefix, line)
				return err
			})
		}()
	}
	for range ctrs {
		select {
		case err := <-errs:
			if err != nil && !isNotFound(err) {
				return err
			}
		case <-ctx.Done():
			return nil
		}
	}
	return nil
}

func logPrefix(c *ContainerState) string { return fmt.Sprintf("%s-%d", c.Service, c.Number) }
