package project

import (
	"context"
	"fmt"
	"io"
	"time"
)

// RemoveOptions configure Remove, as `berth rm`'s flags.
type RemoveOptions struct {
	Services []string       // empty: every service
	Stop     bool           // -s: stop the containers first
	Timeout  *time.Duration // grace of the stop; nil: each container's
	// Confirm is asked, without the project lock held, with the names of the
	// containers about to be removed; false removes nothing. Nil removes without asking.
	Confirm  func(names []string) (bool, error)
	Progress io.Writer
}

// Remove removes the stopped containers of the selected services (running ones are
// kept unless opts.Stop stops them first): the engine container with its writable
// layer, its anonymous volumes (as rm -v; berth always removes them, see
// anonvolume.go), its network namespace and published ports,
// and its entry in the project's state, so ps, up and down see it gone. Networks and
// named volumes stay until Down. With nothing to remove it prints "No stopped
// containers" and succeeds.
func Remove(ctx context.Context, cfg Config, name string, opts RemoveOptions) error {
	out := progressOrDiscard(opts.Progress)
	if opts.Stop {
		if err := Stop(ctx, cfg, name, StopOptions{Services: opts.Services, Timeout: opts.Timeout, Progress: out}); err != nil {
			return err
		}
	}
	names, err := cfg.stoppedContainers(name, opts.Services)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Fprintln(out, "No stopped containers")
		return nil
	}
	if opts.Confirm != nil {
		if ok, err := opts.Confirm(names); err != nil || !ok {
			return err
		}
	}
	r, unlock, err := cfg.openProject(name, nil, out)
	if err != nil {
		return err
	}
	defer unlock()
	if r.nd, err = cfg.netdriver(); err != nil {
		return err
	}
	chosen := map[string]bool{}
	for _, n := range names {
		chosen[n] = true
	}
	var ctrs []*ContainerState
	for _, c := range r.st.Containers {
		if !chosen[c.Name] {
			continue
		}
		// Checked again under the lock: one started since the question is kept.
		if st, err := r.eng.State(c.ID); err != nil || !isLive(st.Status) {
			ctrs = append(ctrs, c)
		}
	}
	err = r.eachContainer(ctrs, func(c *ContainerState) error { return r.removeContainer(ctx, c, 0) })
	if serr := cfg.syncSupervisor(name); serr != nil && err == nil {
		err = fmt.Errorf("remove containers of project %q: %w", name, serr)
	}
	return err
}

// stoppedContainers returns the names of the selected services' containers that are
// not running (created, exited, or gone from the engine), sorted.
func (cfg Config) stoppedContainers(name string, services []string) ([]string, error) {
	r, err := cfg.stateRun(name)
	if r == nil {
		return nil, err
	}
	want, err := r.selected(services)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range sortedKeys(want) {
		for _, c := range r.containersOf(s) {
			if es, err := r.eng.State(c.ID); err != nil || !isLive(es.Status) {
				names = append(names, c.Name)
			}
		}
	}
	return names, nil
}
