package project

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"
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
// other commands (stop, kill, down) can end the containers meanwhile. When none of them
// runs any more but some have exited, it returns at once with the exit code of the
// first of those to exit, as `docker wait` does for an exited container (Compose lists
// only running containers and fails). With no container at all it fails with
// ErrNotFound; ctx ending returns ctx.Err().
func Wait(ctx context.Context, cfg Config, name string, opts WaitOptions) (int, error) {
	st, err := cfg.LoadState(name)
	if err != nil && !isNotFound(err) {
		return 0, err
	}
	var ctrs, exited []*ContainerState
	if err == nil {
		cfg.restoreSupervisor(name, st)
		r := &run{cfg: cfg, eng: cfg.engine(), st: st}
		if ctrs, err = r.live(opts.Services); err == nil && len(ctrs) == 0 {
			exited, err = r.exited(opts.Services)
		}
		if err != nil {
			return 0, err
		}
	}
	if len(ctrs) == 0 && len(exited) == 0 {
		return 0, fmt.Errorf("no containers for project %q: %w", name, ErrNotFound)
	}
	var code int
	if len(ctrs) == 0 {
		code, err = reportExited(cfg, exited, progressOrDiscard(opts.Output))
	} else {
		code, err = waitAll(ctx, cfg, ctrs, progressOrDiscard(opts.Output))
	}
	if err != nil {
		return 0, err
	}
	if opts.DownProject {
		return code, Down(ctx, cfg, name, DownOptions{RemoveOrphans: true, Progress: opts.Progress})
	}
	return code, nil
}

// exited returns the exited containers (one-offs excluded) of the named services (all
// when none), the first to exit first.
func (r *run) exited(services []string) ([]*ContainerState, error) {
	want, err := r.selected(services)
	if err != nil {
		return nil, err
	}
	var out []*ContainerState
	finished := map[string]time.Time{}
	for _, s := range sortedKeys(want) {
		for _, c := range r.containersOf(s) {
			if st, err := r.eng.State(c.ID); err == nil && st.Status == engine.StatusExited && !c.Oneoff() {
				out = append(out, c)
				finished[c.ID] = st.FinishedAt
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return finished[out[i].ID].Before(finished[out[j].ID]) })
	return out, nil
}

// reportExited prints the exit of every container of ctrs, which have all exited, and
// returns the exit code of the first.
func reportExited(cfg Config, ctrs []*ContainerState, out io.Writer) (int, error) {
	eng := cfg.engine()
	first := 0
	for i, c := range ctrs {
		es, err := eng.Wait(c.ID)
		if err != nil {
			return 0, fmt.Errorf("wait for %s: %w", describe(c), err)
		}
		if i == 0 {
			first = es.ExitCode
		}
		fmt.Fprintf(out, "container %q exited with status code %d\n", c.ID, es.ExitCode)
	}
	return first, nil
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
