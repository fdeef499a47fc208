package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/watch"
)

// WatchOptions configure Watch, as `berth watch`'s flags.
type WatchOptions struct {
	// Services to watch; empty: every service with a develop.watch section.
	Services []string
	// NoBuild refuses rebuild rules (`up --watch --no-build`), as Compose does.
	NoBuild bool
	// Quiet hides the build output of rebuilds (`--quiet`).
	Quiet bool
	// Rebuilt, when set, is called after a rebuild recreated its services, with the IDs
	// of the images they had before (`--prune` removes those left dangling).
	Rebuilt func(previous []string)
	// Log receives Compose's watch messages ("Watch enabled", "Syncing service ...")
	// and the output of rebuilds; Warn its warnings and errors ("warning: ..."); Output
	// the output of sync+exec commands. nil: discarded.
	Log    io.Writer
	Warn   io.Writer
	Output io.Writer
	// QuietPeriod is how long a burst of changes must be quiet before it is acted on;
	// 0: watch.QuietPeriod.
	QuietPeriod time.Duration
	// ConfigFiles are recorded by the Up of a rebuild, as Up's.
	ConfigFiles []string
}

// Watch runs the develop.watch rules of the selected services until ctx ends (then it
// returns nil) or the watcher fails: every batch of changed host paths is matched to
// the rules and, as in Compose, sync copies the files into every container of the
// service (and deletes removed ones) without a restart, sync+restart then restarts
// the service, sync+exec then runs the rule's command in each container, restart
// restarts, and rebuild builds the image (with the layer cache) and recreates the
// service, in the background, folding requests that arrive meanwhile into one more
// rebuild. Rules with initial_sync copy their path before watching starts. It does not
// bring the project up (the caller runs Up first, as `berth watch` does without
// --no-up). A project without rules to watch is an error wrapping ErrInvalid.
func Watch(ctx context.Context, cfg Config, p *compose.Project, opts WatchOptions) error {
	w := &watcher{cfg: cfg, p: p, opts: opts, log: &syncWriter{w: orDiscard(opts.Log)},
		warn: &syncWriter{w: orDiscard(opts.Warn)}}
	paths, err := w.setup()
	if err != nil {
		return err
	}
	n, err := watch.NewNotifier(paths)
	if err != nil {
		return err
	}
	defer n.Close()
	quiet := opts.QuietPeriod
	if quiet <= 0 {
		quiet = watch.QuietPeriod
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w.rebuilds = newRebuildScheduler(ctx, w.rebuild)
	defer w.rebuilds.Wait()
	defer cancel() // stop a rebuild in flight before waiting for it
	batches := watch.Debounce(ctx, n.Events(), quiet)
	w.logf("Watch enabled")
	for {
		select {
		case <-ctx.Done():
			w.logf("Watch disabled")
			return nil
		case err, ok := <-n.Errors():
			if ok {
				w.warnf("Watch disabled with errors: %v", err)
			}
			return err
		case batch := <-batches:
			if len(batch) > largeBatch {
				w.warnf("Very large batch of file changes detected: %d files. This may impact performance.", len(batch))
				w.logf("Large batch of file changes detected. If you just switched branches, this is expected.")
			}
			if err := w.handle(ctx, batch); err != nil {
				w.warnf("Error handling changed files: %v", err)
			}
		}
	}
}

// largeBatch is the batch size above which Compose warns that syncing may be slow.
const largeBatch = 1000

// watcher is one Watch: its rules and what acts on them.
type watcher struct {
	cfg      Config
	p        *compose.Project
	opts     WatchOptions
	log      *syncWriter
	warn     *syncWriter
	rules    []watch.Rule
	rebuilds *rebuildScheduler
}

func (w *watcher) logf(format string, args ...any) {
	w.log.line(fmt.Sprintf(format, args...))
}

func (w *watcher) warnf(format string, args ...any) {
	w.warn.line("warning: " + fmt.Sprintf(format, args...))
}

// setup checks the selected services' rules, runs the initial syncs and returns the
// paths to watch.
func (w *watcher) setup() ([]string, error) {
	names := w.opts.Services
	if len(names) == 0 {
		for name := range w.p.Services {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var paths []string
	for _, name := range names {
		svc, ok := w.p.Services[name]
		if !ok {
			return nil, fmt.Errorf("no such service: %s: %w", name, ErrNotFound)
		}
		if svc.Develop == nil {
			continue
		}
		ps, err := w.setupService(name, svc)
		if err != nil {
			return nil, err
		}
		paths = append(paths, ps...)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("none of the selected services is configured for watch, consider setting a 'develop' section: %w", ErrInvalid)
	}
	return paths, nil
}

// setupService compiles one service's rules; a sync rule whose path a bind mount of
// the service already shares is skipped with Compose's warning.
func (w *watcher) setupService(name string, svc compose.ServiceConfig) ([]string, error) {
	docker := watch.Matcher(watch.None{})
	if svc.Build != nil {
		var err error
		if docker, err = watch.LoadDockerIgnore(svc.Build.Context, svc.Build.Dockerfile); err != nil {
			return nil, fmt.Errorf("watch service %s: %w", name, err)
		}
	}
	var paths []string
	for i, t := range svc.Develop.Watch {
		if t.Action == compose.WatchActionRebuild {
			if svc.Build == nil {
				return nil, fmt.Errorf("can't watch service %q with action %s without a build context: %w", name, t.Action, ErrInvalid)
			}
			if w.opts.NoBuild {
				return nil, fmt.Errorf("--no-build is incompatible with watch action %s in service %s: %w", t.Action, name, ErrInvalid)
			}
		}
		if isSync(t) && boundByVolume(t.Path, svc.Volumes) {
			w.warnf("path '%s' also declared by a bind mount volume, this path won't be monitored!", t.Path)
			continue
		}
		r, err := watch.NewRule(watch.Rule{Service: name, Action: t.Action, Path: t.Path, Target: t.Target, Index: i},
			watch.RuleOptions{Include: t.Include, Ignore: t.Ignore, DockerIgnore: docker})
		if err != nil {
			return nil, err
		}
		if t.InitialSync && isSync(t) {
			if err := w.initialSync(name, svc, t, docker); err != nil {
				return nil, err
			}
		}
		w.rules = append(w.rules, r)
		paths = append(paths, t.Path)
	}
	return paths, nil
}

// isSync reports whether a rule copies files (sync, sync+restart, sync+exec).
func isSync(t compose.Trigger) bool {
	return t.Action == compose.WatchActionSync || t.Action == compose.WatchActionSyncRestart ||
		t.Action == compose.WatchActionSyncExec
}

// boundByVolume reports whether host path p is inside the source of a bind mount.
func boundByVolume(p string, volumes []compose.ServiceVolumeConfig) bool {
	for _, v := range volumes {
		if v.Type == "bind" && v.Source != "" && watch.IsChild(v.Source, p) {
			return true
		}
	}
	return false
}

// handle acts on one batch as Compose's handleWatchBatch: rebuilds are requested
// first (in the background), a restart that a pending rebuild covers is dropped,
// then files are synced service by service, restarts done, and exec commands run.
func (w *watcher) handle(ctx context.Context, batch []string) error {
	a, err := w.actions(batch)
	if err != nil {
		return err
	}
	if len(a.rebuild) > 0 {
		w.rebuilds.Request(keys(a.rebuild))
	}
	for svc := range a.restart {
		switch {
		case w.rebuilds.Pending(svc):
			delete(a.restart, svc)
		case w.rebuilds.InFlight(svc):
			w.rebuilds.Request([]string{svc})
			delete(a.restart, svc)
		}
	}
	for _, svc := range keys(a.sync) {
		w.logf("Syncing service %q after %d changes were detected", svc, len(a.sync[svc]))
		if err := w.sync(svc, a.sync[svc]); err != nil {
			return err
		}
	}
	if len(a.restart) > 0 {
		services := keys(a.restart)
		if err := Restart(ctx, w.cfg, w.p.Name, RestartOptions{Services: services, Project: w.p}); err != nil {
			return err
		}
		w.logf("service(s) %q restarted", services)
	}
	return w.execAll(a.exec)
}

// batchActions is what one batch asks of each service.
type batchActions struct {
	sync    map[string][]syncPath
	restart map[string]bool
	rebuild map[string]bool
	exec    map[string][]int // rule indexes into watcher.rules, once each
}

// actions matches every path of the batch against every rule.
func (w *watcher) actions(batch []string) (batchActions, error) {
	a := batchActions{sync: map[string][]syncPath{}, restart: map[string]bool{}, rebuild: map[string]bool{},
		exec: map[string][]int{}}
	var errs []error
	for _, host := range batch {
		for i, r := range w.rules {
			target, ok, err := r.Match(host)
			if err != nil {
				errs = append(errs, err)
			}
			if !ok {
				continue
			}
			switch r.Action {
			case compose.WatchActionRebuild:
				a.rebuild[r.Service] = true
			case compose.WatchActionRestart:
				a.restart[r.Service] = true
			case compose.WatchActionSync, compose.WatchActionSyncRestart, compose.WatchActionSyncExec:
				a.sync[r.Service] = append(a.sync[r.Service], syncPath{host: host, container: target})
				if r.Action == compose.WatchActionSyncRestart {
					a.restart[r.Service] = true
				}
				if r.Action == compose.WatchActionSyncExec && !containsInt(a.exec[r.Service], i) {
					a.exec[r.Service] = append(a.exec[r.Service], i)
				}
			}
		}
	}
	return a, errors.Join(errs...)
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// keys returns a set's names, sorted.
func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// syncWriter writes whole lines to w, one at a time (rebuilds log from their own
// goroutine).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) line(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintln(s.w, strings.TrimRight(msg, "\n"))
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
