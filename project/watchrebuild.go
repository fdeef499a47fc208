package project

import (
	"context"
	"io"
	"sync"
)

// rebuildScheduler runs rebuilds in the background, one at a time, as Compose's: a
// request that arrives during a rebuild is folded into one trailing rebuild, and a
// request for a service the running rebuild covers interrupts it (its build context
// was read before the change), so the trailing one redoes all of its services. Every
// request is thus covered by a rebuild that read the context after it.
type rebuildScheduler struct {
	ctx     context.Context // no rebuild outlives it
	rebuild func(ctx context.Context, services []string) error

	mu        sync.Mutex
	building  bool
	active    map[string]bool // services of the running rebuild
	pending   map[string]bool // services of the next one
	interrupt context.CancelFunc
	wg        sync.WaitGroup
}

func newRebuildScheduler(ctx context.Context, rebuild func(context.Context, []string) error) *rebuildScheduler {
	return &rebuildScheduler{ctx: ctx, rebuild: rebuild, pending: map[string]bool{}}
}

// Request asks for a rebuild of services; it never waits for one.
func (s *rebuildScheduler) Request(services []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, svc := range services {
		s.pending[svc] = true
	}
	if !s.building {
		s.building = true
		s.wg.Add(1)
		go s.run()
		return
	}
	for _, svc := range services {
		if s.active[svc] {
			for a := range s.active {
				s.pending[a] = true
			}
			s.interrupt()
			return
		}
	}
}

// Pending reports whether service waits for the next rebuild.
func (s *rebuildScheduler) Pending(service string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending[service]
}

// InFlight reports whether the running rebuild covers service.
func (s *rebuildScheduler) InFlight(service string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active[service]
}

// run drains the pending set until nothing is left or the watch ends.
func (s *rebuildScheduler) run() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		if len(s.pending) == 0 || s.ctx.Err() != nil {
			s.building = false
			s.mu.Unlock()
			return
		}
		ctx, cancel := context.WithCancel(s.ctx)
		s.interrupt, s.active, s.pending = cancel, s.pending, map[string]bool{}
		services := keys(s.active)
		s.mu.Unlock()

		_ = s.rebuild(ctx, services) // rebuild logs its failures; an interrupted one is pending again

		s.mu.Lock()
		s.active, s.interrupt = nil, nil
		s.mu.Unlock()
		cancel()
	}
}

// Wait returns once no rebuild runs; the caller must have stopped requesting.
func (s *rebuildScheduler) Wait() { s.wg.Wait() }

// rebuild builds the services' images with the layer cache and recreates their
// containers, logging as Compose does.
func (w *watcher) rebuild(ctx context.Context, services []string) error {
	w.logf("Rebuilding service(s) %q after changes were detected...", services)
	previous, err := w.cfg.localImageIDs(w.p, PlanOptions{Services: services, NoDeps: true})
	if err != nil {
		w.logf("Build failed. Error: %v", err)
		return err
	}
	var out io.Writer = io.Discard
	if !w.opts.Quiet {
		out = &lineLogger{log: w.log}
	}
	if _, err := Build(ctx, w.cfg, w.p, BuildOptions{Services: services, Progress: out}); err != nil {
		w.logf("Build failed. Error: %v", err)
		return err
	}
	w.logf("service(s) %q successfully built", services)
	_, err = Up(ctx, w.cfg, w.p, UpOptions{PlanOptions: PlanOptions{Services: services, NoDeps: true, ForceRecreate: true},
		NoBuild: true, ConfigFiles: w.opts.ConfigFiles, Progress: io.Discard, IgnoreOrphans: true})
	if err != nil {
		w.logf("Failed to recreate services after update. Error: %v", err)
		return err
	}
	if w.opts.Rebuilt != nil {
		ids := make([]string, 0, len(previous))
		for _, svc := range keys(previous) {
			ids = append(ids, previous[svc])
		}
		w.opts.Rebuilt(ids)
	}
	return nil
}

// lineLogger sends what is written to it to the watch log line by line.
type lineLogger struct {
	log  *syncWriter
	part []byte
}

func (l *lineLogger) Write(b []byte) (int, error) {
	l.part = append(l.part, b...)
	for {
		i := indexByte(l.part, '\n')
		if i < 0 {
			return len(b), nil
		}
		l.log.line(string(l.part[:i]))
		l.part = l.part[i+1:]
	}
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
