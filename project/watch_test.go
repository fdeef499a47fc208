package project

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/project/internal/composetest"
	"github.com/google/go-cmp/cmp"
)

const watchRules = `services:
  web:
    build: .
    volumes: ["./shared:/shared"]
    develop:
      watch:
        - {action: sync, path: ./src, target: /app/src, ignore: ["*.tmp"]}
        - {action: sync+restart, path: ./conf, target: /etc/app}
        - {action: sync+exec, path: ./hook, target: /hook, exec: {command: [touch, /ran]}}
        - {action: rebuild, path: ./package.json}
        - {action: sync, path: ./shared/x, target: /x}
  worker:
    image: busybox
    develop:
      watch:
        - {action: restart, path: ./src, include: ["*.go"]}
`

func TestWatchActions(t *testing.T) {
	p := composetest.Load(t, watchRules)
	var log bytes.Buffer
	w := &watcher{p: p, log: &syncWriter{w: io.Discard}, warn: &syncWriter{w: &log}}
	paths, err := w.setup()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(p.Services["web"].Develop.Watch[0].Path)
	in := func(rel string) string { return filepath.Join(dir, rel) }
	if want := []string{in("src"), in("conf"), in("hook"), in("package.json"), in("src")}; !slices.Equal(paths, want) {
		t.Errorf("watched paths = %v, want %v (the bind-mounted sync path left out)", paths, want)
	}
	if !strings.Contains(log.String(), "warning: path '"+in("shared/x")+"' also declared by a bind mount volume, this path won't be monitored!") {
		t.Errorf("no bind-mount warning in %q", log.String())
	}

	a, err := w.actions([]string{in("src/main.go"), in("src/x.tmp"), in("conf/app.ini"), in("hook/a"), in("hook/b"),
		in("package.json"), in("src/README.md")})
	if err != nil {
		t.Fatal(err)
	}
	wantSync := map[string][]syncPath{"web": {
		{in("src/main.go"), "/app/src/main.go"}, {in("conf/app.ini"), "/etc/app/app.ini"},
		{in("hook/a"), "/hook/a"}, {in("hook/b"), "/hook/b"}, {in("src/README.md"), "/app/src/README.md"}}}
	if diff := cmp.Diff(wantSync, a.sync, cmp.AllowUnexported(syncPath{})); diff != "" {
		t.Errorf("sync (-want +got):\n%s", diff)
	}
	if !cmp.Equal(a.restart, map[string]bool{"web": true, "worker": true}) || !cmp.Equal(a.rebuild, map[string]bool{"web": true}) {
		t.Errorf("restart %v, rebuild %v; want web+worker (include *.go matched main.go), web", a.restart, a.rebuild)
	}
	if !cmp.Equal(a.exec, map[string][]int{"web": {2}}) {
		t.Errorf("exec = %v, want rule 2 of web once for two files", a.exec)
	}
}

func TestWatchSetupErrors(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		opts       WatchOptions
		want       string
		is         error
	}{
		{"no develop section", "services: {a: {image: x}}\n", WatchOptions{},
			"none of the selected services is configured for watch", ErrInvalid},
		{"rebuild without build", "services: {a: {image: x, develop: {watch: [{action: rebuild, path: .}]}}}\n", WatchOptions{},
			`can't watch service "a" with action rebuild without a build context`, ErrInvalid},
		{"rebuild with --no-build", "services: {a: {build: ., develop: {watch: [{action: rebuild, path: .}]}}}\n",
			WatchOptions{NoBuild: true}, "--no-build is incompatible with watch action rebuild in service a", ErrInvalid},
		{"unknown service", "services: {a: {image: x}}\n", WatchOptions{Services: []string{"b"}}, "no such service: b", ErrNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := &watcher{p: composetest.Load(t, tt.yaml), opts: tt.opts, log: &syncWriter{w: io.Discard},
				warn: &syncWriter{w: io.Discard}}
			_, err := w.setup()
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, tt.is) {
				t.Errorf("setup() = %v, want %q wrapping %v", err, tt.want, tt.is)
			}
		})
	}
}

// fakeRebuilds records the scheduler's runs; each run waits for release.
type fakeRebuilds struct {
	mu      sync.Mutex
	runs    [][]string
	aborted int
	started chan struct{}
	release chan struct{}
}

func (f *fakeRebuilds) rebuild(ctx context.Context, services []string) error {
	f.mu.Lock()
	f.runs = append(f.runs, services)
	f.mu.Unlock()
	f.started <- struct{}{}
	select {
	case <-f.release:
		return nil
	case <-ctx.Done():
		f.mu.Lock()
		f.aborted++
		f.mu.Unlock()
		return ctx.Err()
	}
}

func TestRebuildScheduler(t *testing.T) {
	f := &fakeRebuilds{started: make(chan struct{}), release: make(chan struct{})}
	s := newRebuildScheduler(context.Background(), f.rebuild)
	s.Request([]string{"a"})
	<-f.started
	if !s.InFlight("a") || s.Pending("a") {
		t.Fatalf("during a's rebuild: InFlight %v Pending %v, want true false", s.InFlight("a"), s.Pending("a"))
	}
	s.Request([]string{"b"}) // another service: queued for one trailing rebuild
	s.Request([]string{"c"})
	if !s.Pending("b") || !s.Pending("c") {
		t.Fatal("b and c not pending")
	}
	s.Request([]string{"a"}) // a changed again: the running rebuild is stale and interrupted
	<-f.started              // the trailing run: a, b and c together
	f.release <- struct{}{}
	s.Wait()
	want := [][]string{{"a"}, {"a", "b", "c"}}
	if !cmp.Equal(f.runs, want) || f.aborted != 1 {
		t.Errorf("runs %v (aborted %d), want %v with 1 aborted", f.runs, f.aborted, want)
	}
	done := make(chan struct{})
	go func() { s.Request([]string{"d"}); <-f.started; f.release <- struct{}{}; s.Wait(); close(done) }()
	select {
	case <-done: // an idle scheduler starts again
	case <-time.After(5 * time.Second):
		t.Fatal("idle scheduler did not run a new request")
	}
}
