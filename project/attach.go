package project

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project/internal/logstream"
)

// Cascade is what an attached Up does when an attached container exits.
type Cascade int

const (
	// CascadeIgnore goes on until every attached container has exited; Up returns 0.
	CascadeIgnore Cascade = iota
	// CascadeStop stops the project at the first exit (--abort-on-container-exit).
	CascadeStop
	// CascadeFail stops the project at the first non-zero exit
	// (--abort-on-container-failure).
	CascadeFail
)

// InterruptExitCode is what UpAttached returns after the user interrupted it, as
// Compose (128 + SIGINT).
const InterruptExitCode = 130

// AttachOptions configure the attached part of UpAttached, as `berth up`'s flags
// without -d.
type AttachOptions struct {
	// Attach lists the services whose output is printed and whose exits count. Empty:
	// the services named to Up (plus their dependencies with AttachDependencies), or
	// every service when none is named, less those with attach: false (as Compose).
	Attach             []string
	AttachDependencies bool
	NoAttach           []string // left out of the above
	OnExit             Cascade
	// ExitCodeFrom is the service whose first exit code UpAttached returns; it implies
	// CascadeStop and attaches the service.
	ExitCodeFrom string
	LogFormat
	Output io.Writer // container output and "web-1 exited with code N"; nil: discard
	// Interrupt delivers the user's Ctrl-C: the first stops the project's containers
	// gracefully, the next kill them.
	Interrupt <-chan os.Signal
	// AfterUp, when set, is called once Up has succeeded (`up --watch` starts
	// watching then); it must not block.
	AfterUp func()
}

// UpAttached runs Up (opts.Progress gets its status lines) and prints the output of
// the attached containers while they run, following containers that appear meanwhile
// (a scale, a recreate). It returns, with the exit code `berth up` exits with, when
// every attached container has exited and no command is changing the project (0), or
// after the cascade of at.OnExit stopped the services of this Up (the code of
// ExitCodeFrom, else of the first container to exit or fail), or after an interrupt
// stopped them (InterruptExitCode). An error of Up ends it at once, leaving the
// containers as they are. Services in Attach, NoAttach or ExitCodeFrom that the
// project does not define wrap ErrNotFound.
func UpAttached(ctx context.Context, cfg Config, p *compose.Project, opts UpOptions, at AttachOptions) (int, error) {
	attached, err := attachedServices(p, opts.PlanOptions, at)
	if err != nil {
		return 0, err
	}
	if at.ExitCodeFrom != "" {
		at.OnExit = CascadeStop
	}
	start := time.Now()
	pr := logstream.NewPrinter(progressOrDiscard(at.Output), at.LogFormat)
	w := cfg.logWatch(p.Name, pr, func(c *ContainerState) bool { return attached[c.Service] })
	// The hooks' output is printed as it comes, of every service, as Compose's.
	opts.HookOutput = func(service, source, line string) { pr.HookLine(service, source, line) }
	w.Follow, w.Start, w.Since = true, start, start
	a := &attacher{w: w, cfg: cfg, p: p, name: p.Name, at: at, progress: progressOrDiscard(opts.Progress),
		exitCodeFrom: at.ExitCodeFrom, services: upServices(p, opts.PlanOptions), hookOut: opts.HookOutput}
	if opts.Timeout > 0 {
		a.timeout = &opts.Timeout
	}
	upCtx, cancelUp := context.WithCancel(ctx)
	defer cancelUp()
	upDone := make(chan error, 1)
	go func() {
		_, err := Up(upCtx, cfg, p, opts)
		if err == nil && at.AfterUp != nil {
			at.AfterUp()
		}
		upDone <- err
	}()
	code, err := a.loop(ctx, upDone, cancelUp)
	if a.upRunning {
		cancelUp()
		<-upDone
	}
	return code, err
}

// attachedServices is the set of services whose containers UpAttached follows.
func attachedServices(p *compose.Project, po PlanOptions, at AttachOptions) (map[string]bool, error) {
	for _, list := range [][]string{at.Attach, at.NoAttach, {at.ExitCodeFrom}} {
		for _, s := range list {
			if _, ok := p.Services[s]; !ok && s != "" {
				return nil, fmt.Errorf("no such service: %s: %w", s, ErrNotFound)
			}
		}
	}
	set := map[string]bool{}
	for _, s := range at.Attach {
		set[s] = true
	}
	if len(at.Attach) == 0 {
		names := po.Services
		if len(names) == 0 || at.AttachDependencies {
			names = upServices(p, po)
		}
		for _, s := range names {
			if a := p.Services[s].Attach; a == nil || *a {
				set[s] = true
			}
		}
	}
	for _, s := range at.NoAttach {
		delete(set, s)
	}
	if at.ExitCodeFrom != "" {
		set[at.ExitCodeFrom] = true
	}
	return set, nil
}

// upServices are the services Up starts for these options.
func upServices(p *compose.Project, po PlanOptions) []string {
	if po.NoDeps && len(po.Services) > 0 {
		return po.Services
	}
	return p.Closure(po.Services)
}

// attacher is the state of one attached Up; only its loop touches it.
type attacher struct {
	w        *logstream.Watch
	cfg      Config
	p        *compose.Project
	hookOut  func(service, source, line string)
	name     string
	at       AttachOptions
	progress io.Writer
	services []string
	timeout  *time.Duration

	upRunning    bool
	announced    bool
	interrupted  bool
	aborting     bool
	pendingStop  bool       // stop once Up has returned
	stopDone     chan error // non-nil while a stop runs
	exitCodeFrom string
	code         int
	codeSet      bool
}

func (a *attacher) loop(ctx context.Context, upDone <-chan error, cancelUp context.CancelFunc) (int, error) {
	a.upRunning = true
	t := time.NewTicker(logstream.Poll)
	defer t.Stop()
	for {
		exits, err := a.w.Step()
		if err != nil {
			return 0, err
		}
		for _, ev := range exits {
			a.exited(ev)
		}
		if !a.upRunning && !a.pendingStop && a.stopDone == nil && a.w.Idle() {
			return a.code, nil
		}
		select {
		case err := <-upDone:
			a.upRunning = false
			if err != nil && !a.interrupted {
				return 0, err
			}
			a.announce()
			if a.pendingStop {
				a.startStop()
			}
		case err := <-a.stopDone:
			a.stopDone = nil
			if err != nil {
				return 0, err
			}
		case <-a.at.Interrupt:
			a.interrupt(cancelUp)
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-t.C:
		}
	}
}

// announce prints Compose's "Attaching to ..." once Up has made the containers.
func (a *attacher) announce() {
	if a.announced || a.aborting {
		return
	}
	a.announced = true
	st, err := a.cfg.LoadState(a.name)
	if err != nil {
		return
	}
	var names []string
	for _, c := range st.Containers {
		if !c.Oneoff() && a.w.Matches(c) {
			names = append(names, logstream.Prefix(c))
		}
	}
	sort.Strings(names)
	fmt.Fprintf(a.progress, "Attaching to %s\n", strings.Join(names, ", "))
}

// exited applies Compose's rules to one attached container's exit.
func (a *attacher) exited(ev logstream.Exit) {
	if !a.aborting {
		a.w.Printer().Status(ev.C, fmt.Sprintf("exited with code %d", ev.Code))
	}
	switch {
	case a.at.OnExit == CascadeFail && ev.Code != 0 && !a.aborting:
		a.exitCodeFrom = ev.C.Service
		a.abort()
	case a.at.OnExit == CascadeStop && !a.aborting:
		if a.exitCodeFrom == "" {
			a.exitCodeFrom = ev.C.Service
		}
		a.abort()
	}
	if ev.C.Service == a.exitCodeFrom && !a.codeSet {
		a.code, a.codeSet = ev.Code, true
	}
}

func (a *attacher) abort() {
	fmt.Fprintln(a.progress, "Aborting on container exit...")
	a.aborting = true
	a.startStop()
}

// interrupt handles one Ctrl-C: the first stops the project gracefully (after
// cancelling an Up still in progress), the next, or one during an abort, kills.
func (a *attacher) interrupt(cancelUp context.CancelFunc) {
	first := !a.interrupted
	a.interrupted = true
	if first && a.stopDone == nil && !a.pendingStop {
		a.code, a.codeSet, a.aborting = InterruptExitCode, true, true
		cancelUp()
		fmt.Fprintln(a.progress, "Gracefully stopping... (press Ctrl+C again to force)")
		a.startStop()
		return
	}
	a.kill()
}

// startStop stops the services of this Up in the background, once Up has returned.
func (a *attacher) startStop() {
	if a.upRunning {
		a.pendingStop = true
		return
	}
	a.pendingStop = false
	done := make(chan error, 1)
	a.stopDone = done
	go func() { done <- a.cfg.stopServices(a.p, a.services, a.timeout, a.progress, a.hookOut) }()
}

// kill sends SIGKILL to every live container of the services, without the project's
// lock (the graceful stop holds it); the stop in progress then sees them exit. Each is
// first marked stopped by the user, so that the supervisor does not restart it: the
// graceful stop marks the same containers before it stops any (stopServices), so its
// own saves keep the marks.
func (a *attacher) kill() {
	st, err := a.cfg.LoadState(a.name)
	if err != nil {
		return
	}
	in := map[string]bool{}
	for _, s := range a.services {
		in[s] = true
	}
	r := &run{cfg: a.cfg, eng: a.cfg.engine(), out: io.Discard, st: st}
	for _, c := range st.Containers {
		if in[c.Service] && !c.Oneoff() {
			if err := r.markUserStop(c, true); err != nil {
				fmt.Fprintf(a.progress, "kill %s: %v\n", describe(c), err)
			}
			r.eng.Kill(c.ID, syscall.SIGKILL) // not running: nothing to do
		}
	}
}

// stopServices stops the live containers of the services of p in reverse dependency
// order, after their pre_stop hooks (their output to hookOut, when set), printing
// Compose's " Container x  Stopping" and "Stopped" lines. A project whose state is
// gone is success.
func (cfg Config) stopServices(p *compose.Project, services []string, timeout *time.Duration, out io.Writer, hookOut func(service, source, line string)) error {
	return cfg.inProject(p.Name, p, out, func(r *run) error {
		r.hookOut = hookOut
		want := map[string]bool{}
		for _, s := range services {
			want[s] = true
		}
		// Every container is marked before any is stopped: one killed meanwhile (a second
		// Ctrl-C) or exiting on its own must not be restarted by its policy.
		for _, c := range r.st.Containers {
			if want[c.Service] && !c.Oneoff() {
				if err := r.markUserStop(c, true); err != nil {
					return fmt.Errorf("stop %s: %w", describe(c), err)
				}
			}
		}
		return r.eachService(stopOrder(r.st), want, true, func(svc string) error {
			return r.eachContainer(r.containersOf(svc), func(c *ContainerState) error {
				if es, err := r.eng.State(c.ID); err != nil || !isLive(es.Status) {
					return nil
				}
				r.printf(" Container %s  Stopping\n", c.Name)
				if err := r.stopContainer(c, timeout); err != nil {
					return err
				}
				r.printf(" Container %s  Stopped\n", c.Name)
				return nil
			})
		})
	})
}
