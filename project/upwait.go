package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/logstream"
)

// WaitUpOptions configure WaitUp, as `berth up --wait`'s flags.
type WaitUpOptions struct {
	PlanOptions               // the services Up was asked for
	Timeout     time.Duration // --wait-timeout; 0: none
	Progress    io.Writer     // " Container x  Waiting" and "Healthy" lines
}

// WaitUp blocks until every container of the services Up started is ready, as Compose's
// `up --wait`: healthy when it has a healthcheck, else running; a service another one
// depends on with service_completed_successfully must instead have exited 0. It fails,
// naming the container, as soon as one exits otherwise or becomes unhealthy, and when
// opts.Timeout passes (the error then wraps context.DeadlineExceeded). As Compose, it
// looks first after firstWaitCheck, so a container that exits at once is reported
// exited, not running.
func WaitUp(ctx context.Context, cfg Config, p *compose.Project, opts WaitUpOptions) error {
	return cfg.waitReady(ctx, p.Name, upServices(p, opts.PlanOptions), completedDependencies(p), opts)
}

// waitReady is WaitUp over the project name's containers of services; completed are
// the services that must exit 0 instead (opts.PlanOptions is not used).
func (cfg Config) waitReady(ctx context.Context, name string, services []string, completed map[string]bool, opts WaitUpOptions) error {
	out := progressOrDiscard(opts.Progress)
	st, err := cfg.LoadState(name)
	if err != nil {
		return err
	}
	in := map[string]bool{}
	for _, s := range services {
		in[s] = true
	}
	var pending []*ContainerState
	for _, c := range st.Containers {
		if in[c.Service] && !c.Oneoff() {
			pending = append(pending, c)
			fmt.Fprintf(out, " Container %s  Waiting\n", c.Name)
		}
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	eng, sup := cfg.engine(), cfg.client(name)
	if len(pending) > 0 {
		select {
		case <-ctx.Done():
			return notReady(ctx.Err(), opts.Timeout, pending, nil)
		case <-time.After(firstWaitCheck):
		}
	}
	for len(pending) > 0 {
		var health map[string]string
		if err := sup.Do(reqHealth, &health); err != nil {
			return fmt.Errorf("wait for project %q: health from supervisor: %w", name, err)
		}
		var still []*ContainerState
		for _, c := range pending {
			es, err := eng.State(c.ID)
			if err != nil {
				return fmt.Errorf("wait for %s: %w", describe(c), err)
			}
			ready, err := readiness(c, es, health[c.ID], completed[c.Service])
			if err != nil {
				return fmt.Errorf("%w%s", err, (&run{eng: eng}).logTail(c, 10))
			}
			if ready != "" {
				fmt.Fprintf(out, " Container %s  %s\n", c.Name, ready)
			} else {
				still = append(still, c)
			}
		}
		pending = still
		if len(pending) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return notReady(ctx.Err(), opts.Timeout, pending, health)
		case <-time.After(logstream.Poll):
		}
	}
	return nil
}

// firstWaitCheck is when WaitUp first looks at the containers: Compose's waitDependencies
// ticks every 500ms and looks first at the first tick.
const firstWaitCheck = 500 * time.Millisecond

// readiness returns the status word of a ready container ("Healthy", "Exited"), "" while
// it is not ready yet, or an error when it never will be.
func readiness(c *ContainerState, es engine.State, health string, mustComplete bool) (string, error) {
	switch {
	case es.Status == engine.StatusExited && mustComplete && es.ExitCode == 0:
		return "Exited", nil
	case es.Status == engine.StatusExited:
		return "", fmt.Errorf("container %s exited (%d)", c.Name, es.ExitCode)
	case mustComplete || es.Status == engine.StatusCreated:
		return "", nil
	case c.Health == nil:
		return "Healthy", nil // running, as Compose reports a service without healthcheck
	case health == HealthHealthy:
		return "Healthy", nil
	case health == HealthUnhealthy:
		return "", fmt.Errorf("container %s is unhealthy", c.Name)
	}
	return "", nil
}

// notReady explains a wait that ended before every container was ready.
func notReady(err error, timeout time.Duration, pending []*ContainerState, health map[string]string) error {
	var names []string
	for _, c := range pending {
		h := health[c.ID]
		if h == "" {
			h = "not ready"
		}
		names = append(names, fmt.Sprintf("%s (%s)", c.Name, h))
	}
	sort.Strings(names)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %s waiting for %s: %w", timeout, strings.Join(names, ", "), err)
	}
	return fmt.Errorf("waiting for %s: %w", strings.Join(names, ", "), err)
}

// completedDependencies are the services some service depends on with
// service_completed_successfully.
func completedDependencies(p *compose.Project) map[string]bool {
	out := map[string]bool{}
	for _, svc := range p.Services {
		for dep, d := range svc.DependsOn {
			if d.Condition == compose.ServiceConditionCompletedSuccessfully {
				out[dep] = true
			}
		}
	}
	return out
}
