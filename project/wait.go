package project

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// WaitOptions configure Wait, as `berth wait`'s flags.
type WaitOptions struct {
	Services []string // empty: every service
	// DownProject runs Down (orphans included) once every container has exited.
	DownProject bool
	Output      io.Writer // one line per exited container
	Progress    io.Writer // Down's progress
}

// Wait blocks until every running container of the selected services has exited,
// printing `container "<id>" exited with status code N` for each as it exits, as
// Compose does, and returns the exit code of the first to exit. It takes no lock, so
// other commands (stop, kill, down) can end the containers meanwhile. With no running
// container it fails with ErrNotFound; ctx ending returns ctx.Err().
func Wait(ctx context.Context, cfg Config, name string, opts WaitOptions) (int, error) {
	st, err := cfg.LoadState(name)
	if err != nil && !isNotFound(err) {
		return 0, err
	}
	var ctrs []*ContainerState
	if err == nil {
		cfg.restoreSupervisor(name, st)
		r := &run{cfg: cfg, eng: cfg.engine(), st: st}
		if ctrs, err = r.live(opts.Services); err != nil {
			return 0, err
		}
	}
	if len(ctrs) == 0 {
		return 0, fmt.Errorf("no containers for project %q: %w", name, ErrNotFound)
	}
	code, err := waitAll(ctx, cfg, ctrs, progressOrDiscard(opts.Output))
	if err != nil {
		return 0, err
	}
	if opts.DownProject {
		return code, Down(ctx, cfg, name, DownOptions{RemoveOrphans: true, Progress: opts.Progress})
	}
	return code, nil
}

// waitAll waits for every container and returns the exit code of the first to exit.
func waitAll(ctx context.Context, cfg Config, ctrs []*ContainerState, out io.Writer) (int, error) {
	eng := cfg.engine()
	var mu sync.Mutex
	first, exited := 0, 0
	done := make(chan error, len(ctrs))
	for _, c := range ctrs {
		go func() {
			es, err := eng.Wait(c.ID)
			if err != nil {
				done <- fmt.Errorf("wait for %s: %w", describe(c), err)
				return
			}
			mu.Lock()
			if exited == 0 {
				first = es.ExitCode
			}
			exited++
			fmt.Fprintf(out, "container %q exited with status code %d\n", c.ID, es.ExitCode)
			mu.Unlock()
			done <- nil
		}()
	}
	for range ctrs {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case err := <-done:
			if err != nil {
				return 0, err
			}
		}
	}
	return first, nil
}
