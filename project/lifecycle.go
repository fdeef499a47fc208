package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/eventlog"
	"golang.org/x/sys/unix"
)

// StartOptions configure Start, as `berth start`'s arguments.
type StartOptions struct {
	Services []string // empty: every service
	// Project is the compose project when its file could be loaded (nil otherwise):
	// then the named services' dependencies start too, and depends_on conditions
	// are waited for, as Up does.
	Project  *compose.Project
	Progress io.Writer
	// Wait, once the containers started, waits for them as WaitUp does (--wait), at
	// most WaitTimeout when it is not 0.
	Wait        bool
	WaitTimeout time.Duration
}

// StopOptions configure Stop, as `berth stop`'s flags.
type StopOptions struct {
	Services []string       // empty: every service
	Timeout  *time.Duration // -t; nil: each container's stop_grace_period
	Progress io.Writer
	// Project is the compose project when its file could be loaded (nil otherwise):
	// its pre_stop hooks run before each container is stopped.
	Project *compose.Project
}

// RestartOptions configure Restart, as `berth restart`'s flags.
type RestartOptions struct {
	Services []string // empty: every service
	// NoDeps restarts only the named services; otherwise services that depend on them
	// with `restart: true` in depends_on are restarted too (needs Project).
	NoDeps   bool
	Timeout  *time.Duration
	Project  *compose.Project
	Progress io.Writer
}

// KillOptions configure Kill, as `berth kill`'s flags.
type KillOptions struct {
	Services []string
	Signal   string // as ParseSignal takes it; empty: SIGKILL
	Progress io.Writer
	// Project, when its compose file could be loaded, limits Kill to the services it
	// declares, unless RemoveOrphans (Compose's kill --remove-orphans) kills orphans too.
	Project       *compose.Project
	RemoveOrphans bool
}

// PauseOptions select the containers of Pause and Unpause.
type PauseOptions struct {
	Services []string
	Progress io.Writer
}

// Start starts the existing, stopped containers of the selected services in dependency
// order (the services of a level in parallel), waiting for depends_on conditions when
// opts.Project is known. Running containers are left alone. It fails with ErrNotFound
// for an unknown service, a selected service without containers or a project never
// brought up; the containers are those Up made (never created here). With opts.Wait
// it then waits, without the project's lock, as WaitUp (without the compose file, no
// service is known to have to complete: one that exits fails the wait).
func Start(ctx context.Context, cfg Config, name string, opts StartOptions) error {
	want, err := cfg.start(ctx, name, opts)
	if err != nil || !opts.Wait {
		return err
	}
	completed := map[string]bool{}
	if opts.Project != nil {
		completed = completedDependencies(opts.Project)
	}
	return cfg.waitReady(ctx, name, slices.Collect(maps.Keys(want)), completed,
		WaitUpOptions{Timeout: opts.WaitTimeout, Progress: opts.Progress})
}

// start starts the selected services' containers under the project's lock and returns
// the services it selected.
func (cfg Config) start(ctx context.Context, name string, opts StartOptions) (map[string]bool, error) {
	r, unlock, err := cfg.openProject(name, opts.Project, opts.Progress)
	if isNotFound(err) {
		return nil, fmt.Errorf("no containers to start: project %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	defer unlock()
	services := opts.Services
	if opts.Project != nil && len(services) > 0 {
		services = opts.Project.Closure(services)
	}
	want, err := r.selected(services)
	if err != nil {
		return nil, err
	}
	if err := r.checkHaveContainers(want, len(opts.Services) > 0, "start"); err != nil {
		return nil, err
	}
	if r.sup, err = cfg.ensureSupervisor(name); err != nil {
		return nil, err
	}
	if hasPreStart(opts.Project) { // the runners' network namespaces go with them
		if r.nd, err = cfg.netdriver(); err != nil {
			return nil, err
		}
	}
	return want, r.eachService(stopOrder(r.st), want, false, func(svc string) error {
		if _, ok := r.composeService(svc); ok {
			if err := r.waitDependencies(ctx, svc); err != nil {
				return err
			}
		}
		if err := r.startPreStart(ctx, svc); err != nil {
			return err
		}
		return r.eachContainer(r.containersOf(svc), r.startStopped)
	})
}

// Stop stops the running containers of the selected services in reverse dependency
// order (the services of a level in parallel), each with its stop_signal and, unless
// opts.Timeout, its stop_grace_period before SIGKILL. The containers, their writable
// layers and addresses are kept: Start runs them again. A project never brought up
// is success.
func Stop(ctx context.Context, cfg Config, name string, opts StopOptions) error {
	return cfg.inProject(name, opts.Project, opts.Progress, func(r *run) error {
		return r.stop(opts.Services, opts.Timeout)
	})
}

func (r *run) stop(services []string, timeout *time.Duration) error {
	want, err := r.selected(services)
	if err != nil {
		return err
	}
	return r.eachService(stopOrder(r.st), want, true, func(svc string) error {
		return r.eachContainer(r.containersOf(svc), func(c *ContainerState) error {
			r.printf(" Container %s  Stopping\n", c.Name)
			if err := r.stopContainer(c, timeout); err != nil {
				return err
			}
			r.printf(" Container %s  Stopped\n", c.Name)
			return nil
		})
	})
}

// Restart stops and starts again every container of the selected services (stopped
// ones are just started), in dependency order. Named services bring along those that
// depend on them with `restart: true`, unless opts.NoDeps.
func Restart(ctx context.Context, cfg Config, name string, opts RestartOptions) error {
	return cfg.inProject(name, opts.Project, opts.Progress, func(r *run) error {
		services := opts.Services
		if len(services) > 0 && !opts.NoDeps && opts.Project != nil {
			services = restartDependents(opts.Project, services)
		}
		want, err := r.selected(services)
		if err != nil {
			return err
		}
		if r.sup, err = cfg.ensureSupervisor(name); err != nil {
			return err
		}
		return r.eachService(stopOrder(r.st), want, false, func(svc string) error {
			return r.eachContainer(r.containersOf(svc), func(c *ContainerState) error {
				if err := r.stopContainer(c, opts.Timeout); err != nil {
					return err
				}
				if err := r.startContainer(c); err != nil {
					return err
				}
				r.event(eventlog.Of(c, "restart", nil))
				return nil
			})
		})
	})
}

// Kill sends a signal (SIGKILL by default) to the running containers of the selected
// services, all at once, without waiting for them to exit.
func Kill(ctx context.Context, cfg Config, name string, opts KillOptions) error {
	sig := syscall.SIGKILL
	if opts.Signal != "" {
		var err error
		if sig, err = ParseSignal(opts.Signal); err != nil {
			return err
		}
	}
	r, unlock, err := cfg.openProject(name, nil, opts.Progress)
	if err != nil && !isNotFound(err) {
		return err
	}
	var ctrs []*ContainerState
	if err == nil {
		defer unlock()
		if ctrs, err = r.live(opts.Services); err != nil {
			return err
		}
	}
	if opts.Project != nil && !opts.RemoveOrphans {
		ctrs = slices.DeleteFunc(ctrs, func(c *ContainerState) bool { _, ok := opts.Project.Services[c.Service]; return !ok })
	}
	if len(ctrs) == 0 {
		fmt.Fprintln(progressOrDiscard(opts.Progress), "no container to kill")
		return nil
	}
	return r.eachContainer(ctrs, func(c *ContainerState) error {
		if err := r.markKilled(c, sig); err != nil {
			return fmt.Errorf("kill %s: %w", describe(c), err)
		}
		if err := r.eng.Kill(c.ID, sig); err != nil {
			return fmt.Errorf("kill %s: %w", describe(c), err)
		}
		r.event(eventlog.Of(c, "kill", map[string]string{"signal": strconv.Itoa(int(sig))}))
		r.printf(" Container %s  Killed\n", c.Name)
		return nil
	})
}

// Pause freezes every process of the running containers of the selected services
// (cgroup freezer); they keep their memory and connections but make no progress
// until Unpause. Like Docker, pausing a container that is already paused is an error
// wrapping ErrInvalid.
func Pause(ctx context.Context, cfg Config, name string, opts PauseOptions) error {
	return cfg.freeze(name, opts, true)
}

// Unpause thaws the paused containers of the selected services; a running container
// that is not paused is an error wrapping ErrInvalid, as with Docker.
func Unpause(ctx context.Context, cfg Config, name string, opts PauseOptions) error {
	return cfg.freeze(name, opts, false)
}

func (cfg Config) freeze(name string, opts PauseOptions, pause bool) error {
	return cfg.inProject(name, nil, opts.Progress, func(r *run) error {
		ctrs, err := r.live(opts.Services)
		if err != nil {
			return err
		}
		return r.eachContainer(ctrs, func(c *ContainerState) error {
			st, err := r.eng.State(c.ID)
			if err != nil {
				return fmt.Errorf("%s: %w", describe(c), err)
			}
			switch {
			case pause && st.Status == engine.StatusPaused:
				return fmt.Errorf("container %s is already paused: %w", c.Name, ErrInvalid)
			case !pause && st.Status != engine.StatusPaused:
				return fmt.Errorf("container %s is not paused: %w", c.Name, ErrInvalid)
			case pause:
				if err := r.eng.Pause(c.ID); err != nil {
					return fmt.Errorf("pause %s: %w", describe(c), err)
				}
				r.event(eventlog.Of(c, "pause", nil))
				r.printf(" Container %s  Paused\n", c.Name)
			default:
				if err := r.eng.Unpause(c.ID); err != nil {
					return fmt.Errorf("unpause %s: %w", describe(c), err)
				}
				r.event(eventlog.Of(c, "unpause", nil))
				r.printf(" Container %s  Unpaused\n", c.Name)
			}
			return nil
		})
	})
}

// ParseSignal parses a signal as `docker kill -s` takes it: "SIGKILL", "KILL", "kill"
// or a number (1-64). Anything else is an error wrapping ErrInvalid.
func ParseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 64 {
			return 0, fmt.Errorf("invalid signal %q: want 1-64 or a name like SIGTERM: %w", s, ErrInvalid)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("invalid signal %q: want 1-64 or a name like SIGTERM: %w", s, ErrInvalid)
}

// stopContainer stops c with its stop signal and grace period (timeout overrides the
// grace); a container that is not running, or no longer exists, is left as it is.
func (r *run) stopContainer(c *ContainerState, timeout *time.Duration) error {
	grace := c.StopGrace
	if grace == 0 {
		grace = defaultStopGrace
	}
	if timeout != nil {
		grace = *timeout
	}
	if err := r.markStopping(c); err != nil {
		return err
	}
	if _, err := r.stopEngine(c, grace); err != nil && !errors.Is(err, engine.ErrNotFound) {
		return fmt.Errorf("stop %s: %w", describe(c), err)
	}
	return nil
}

// startStopped starts c unless it is already running or paused.
func (r *run) startStopped(c *ContainerState) error {
	st, err := r.eng.State(c.ID)
	if err != nil {
		return fmt.Errorf("start %s: %w", describe(c), err)
	}
	if isLive(st.Status) {
		return nil
	}
	return r.startContainer(c)
}

// restartDependents returns services plus, transitively, every service that depends
// on one of them with `restart: true`, sorted.
func restartDependents(p *compose.Project, services []string) []string {
	in := map[string]bool{}
	for _, s := range services {
		in[s] = true
	}
	for changed := true; changed; {
		changed = false
		for name, svc := range p.Services {
			if in[name] {
				continue
			}
			for dep, d := range svc.DependsOn {
				if d.Restart && in[dep] {
					in[name], changed = true, true
					break
				}
			}
		}
	}
	return sortedKeys(in)
}
