package project

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/berth-dev/berth/compose"
)

// This file picks the services and containers a lifecycle command (start, stop,
// restart, kill, pause, rm, ...) acts on, and runs it in dependency order.

// openProject loads the state of project name under its lock, for a command that
// changes its containers, and brings back its supervisor if it was killed
// (restoreSupervisorLocked); the returned func releases the lock. A project never
// brought up yields ErrNotFound and nothing is created on disk.
func (cfg Config) openProject(name string, p *compose.Project, out io.Writer) (*run, func(), error) {
	if _, err := cfg.LoadState(name); err != nil {
		return nil, nil, err
	}
	unlock, err := cfg.lockProject(name)
	if err != nil {
		return nil, nil, err
	}
	st, err := cfg.LoadState(name) // again under the lock: a Down may have run meanwhile
	if err != nil {
		if isNotFound(err) {
			if dir, err := cfg.projectDir(name); err == nil {
				os.RemoveAll(dir) // only the lock we just made
			}
		}
		unlock()
		return nil, nil, err
	}
	cfg.restoreSupervisorLocked(name, st)
	return &run{cfg: cfg, p: p, eng: cfg.engine(), out: progressOrDiscard(out), st: st}, unlock, nil
}

// inProject runs fn on project name under its lock (openProject); a project never
// brought up, or gone meanwhile, is success without fn.
func (cfg Config) inProject(name string, p *compose.Project, out io.Writer, fn func(*run) error) error {
	r, unlock, err := cfg.openProject(name, p, out)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer unlock()
	return fn(r)
}

func progressOrDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// composeService returns the service's compose config when the project is known.
func (r *run) composeService(name string) (compose.ServiceConfig, bool) {
	if r.p == nil {
		return compose.ServiceConfig{}, false
	}
	svc, ok := r.p.Services[name]
	return svc, ok
}

// selected returns the named services as a set (every known service when none is
// named); a name neither the state nor the compose file knows is ErrNotFound.
func (r *run) selected(names []string) (map[string]bool, error) {
	known := map[string]bool{}
	for _, l := range stopOrder(r.st) {
		for _, s := range l {
			known[s] = true
		}
	}
	if r.p != nil {
		for s := range r.p.Services {
			known[s] = true
		}
	}
	if len(names) == 0 {
		return known, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		if !known[n] {
			return nil, fmt.Errorf("no such service: %s: %w", n, ErrNotFound)
		}
		want[n] = true
	}
	return want, nil
}

// checkHaveContainers fails when a named service (or, with none named, the whole
// project) has no container to act on.
func (r *run) checkHaveContainers(want map[string]bool, named bool, verb string) error {
	total := 0
	for _, s := range sortedKeys(want) {
		n := len(r.containersOf(s))
		if n == 0 && named {
			if svc, ok := r.composeService(s); ok && replicas(svc) == 0 {
				continue // scaled to zero on purpose
			}
			return fmt.Errorf("service %q has no container to %s: %w", s, verb, ErrNotFound)
		}
		total += n
	}
	if total == 0 {
		return fmt.Errorf("no containers to %s: %w", verb, ErrNotFound)
	}
	return nil
}

// containersOf is State.serviceContainers under r.mu.
func (r *run) containersOf(service string) []*ContainerState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st.ServiceContainers(service)
}

// live returns the running or paused containers of the named services (all when
// none), sorted by name.
func (r *run) live(services []string) ([]*ContainerState, error) {
	want, err := r.selected(services)
	if err != nil {
		return nil, err
	}
	var out []*ContainerState
	for _, s := range sortedKeys(want) {
		for _, c := range r.containersOf(s) {
			if st, err := r.eng.State(c.ID); err == nil && isLive(st.Status) {
				out = append(out, c)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// eachService runs fn for the wanted services level by level (last level first when
// reverse), the services of one level in parallel; it stops after the first level
// with an error.
func (r *run) eachService(levels [][]string, want map[string]bool, reverse bool, fn func(string) error) error {
	for i := range levels {
		level := levels[i]
		if reverse {
			level = levels[len(levels)-1-i]
		}
		var wg sync.WaitGroup
		errs := make([]error, len(level))
		for j, svc := range level {
			if !want[svc] {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[j] = fn(svc)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
	}
	return nil
}

// eachContainer runs fn for every container in parallel, at most cfg.MaxConcurrency at
// once, and joins the errors.
func (r *run) eachContainer(ctrs []*ContainerState, fn func(*ContainerState) error) error {
	slots := r.slots()
	var wg sync.WaitGroup
	errs := make([]error, len(ctrs))
	for i, c := range ctrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = slots.do(func() error { return fn(c) })
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
