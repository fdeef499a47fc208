package project

import (
	"context"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/eventlog"
)

// event records ev in the project's event log (see internal/eventlog). An event that
// cannot be written is lost, never the failure of the command that made it.
func (r *run) event(ev eventlog.Event) {
	_ = eventlog.Record(r.cfg.paths(), r.st.Name, ev)
}

// stopEngine is the engine's Stop with the events Docker reports of a stop that ends
// a run: kill (with the signal), oom when the memory cgroup killed it, die (with the
// exit code), stop. A container that was not running stops without events.
func (r *run) stopEngine(c *ContainerState, grace time.Duration) (engine.ExitStatus, error) {
	sig := syscall.Signal(c.StopSignal)
	if sig == 0 {
		sig = syscall.SIGTERM
	}
	before, err := r.eng.State(c.ID)
	live := err == nil && isLive(before.Status)
	if live {
		r.event(eventlog.Of(c, "kill", map[string]string{"signal": strconv.Itoa(int(sig))}))
	}
	es, err := r.eng.Stop(c.ID, sig, grace)
	if !live || err != nil {
		return es, err
	}
	if st, err := r.eng.State(c.ID); err == nil && st.Status == engine.StatusExited {
		if st.OOMKilled {
			r.event(eventlog.Of(c, "oom", nil))
		}
		r.event(eventlog.Die(c, st.ExitCode, st.FinishedAt))
	}
	r.event(eventlog.Of(c, "stop", nil))
	return es, nil
}

// Event is one container event of a project, as Compose reports it.
type Event struct {
	Time       time.Time
	Service    string
	Container  string // the container's ID
	Action     string // "create", "start", "die", ..., "health_status: healthy"
	Attributes map[string]string
}

// EventsOptions choose the events Events reports.
type EventsOptions struct {
	Services []string  // only these services' containers; empty: all
	Since    time.Time // report recorded events from then on; zero: only new ones
	Until    time.Time // stop after it; zero: go on until ctx ends
}

// Events calls fn with each event of project name's containers as it happens (see
// internal/eventlog for where they come from), until ctx ends or opts.Until passes
// (nil) or fn fails (its error). As Compose, the events of one-off (`run`) containers
// are left out. Times are local, as Compose prints them. A project never brought up
// is waited for.
func Events(ctx context.Context, cfg Config, name string, opts EventsOptions, fn func(Event) error) error {
	path, err := cfg.paths().EventsPath(name)
	if err != nil {
		return err
	}
	fo := eventlog.FollowOptions{Since: opts.Since, Until: opts.Until}
	return eventlog.Follow(ctx, path, fo, func(ev eventlog.Event) error {
		if ev.Oneoff || (len(opts.Services) > 0 && !slices.Contains(opts.Services, ev.Service)) {
			return nil
		}
		return fn(Event{Time: ev.Time.Local(), Service: ev.Service, Container: ev.ID, Action: ev.Action, Attributes: ev.Attributes})
	})
}
