package project

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

// waitDependencies blocks until every depends_on entry of service name meets its
// condition: started (already true when its level ran), completed successfully (every
// replica exited 0), or healthy (every replica's healthcheck passed).
func (r *run) waitDependencies(ctx context.Context, name string) error {
	for _, dep := range sortedKeys(r.p.Services[name].DependsOn) {
		d := r.p.Services[name].DependsOn[dep]
		ctrs := r.containersOf(dep)
		if len(ctrs) == 0 && !d.Required {
			continue
		}
		var err error
		switch d.Condition {
		case compose.ServiceConditionCompletedSuccessfully:
			err = r.waitCompleted(ctrs)
		case compose.ServiceConditionHealthy:
			err = r.waitHealthy(ctx, ctrs)
		}
		if err != nil {
			return fmt.Errorf("service %q depends on %q: %w", name, dep, err)
		}
	}
	return nil
}

func (r *run) waitCompleted(ctrs []*ContainerState) error {
	for _, c := range ctrs {
		r.printf(" Container %s  Waiting\n", c.Name)
		es, err := r.eng.Wait(c.ID)
		if err != nil {
			return fmt.Errorf("wait for %s: %w", describe(c), err)
		}
		if es.ExitCode != 0 {
			return fmt.Errorf("service %q didn't complete successfully: exit %d%s", c.Service, es.ExitCode, r.logTail(c, 10))
		}
		r.printf(" Container %s  Exited\n", c.Name)
	}
	return nil
}

func (r *run) waitHealthy(ctx context.Context, ctrs []*ContainerState) error {
	for _, c := range ctrs {
		if c.Health == nil {
			return fmt.Errorf("container %s has no healthcheck configured: %w", c.Name, ErrInvalid)
		}
		r.printf(" Container %s  Waiting\n", c.Name)
	}
	for {
		var h map[string]string
		if err := r.sup.Do(reqHealth, &h); err != nil {
			return err
		}
		healthy := 0
		for _, c := range ctrs {
			switch h[c.ID] {
			case HealthHealthy:
				healthy++
			case HealthUnhealthy:
				return fmt.Errorf("dependency failed to start: container %s is unhealthy", c.Name)
			}
			if st, err := r.eng.State(c.ID); err == nil && st.Status == engine.StatusExited {
				return fmt.Errorf("dependency failed to start: container %s exited (%d)%s", c.Name, st.ExitCode, r.logTail(c, 10))
			}
		}
		if healthy == len(ctrs) {
			for _, c := range ctrs {
				r.printf(" Container %s  Healthy\n", c.Name)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// logTail returns the last n log lines of the container, indented after a newline, or "".
func (r *run) logTail(c *ContainerState, n int) string {
	var b bytes.Buffer
	r.eng.Logs(c.ID, engine.LogOptions{Tail: n}, func(e engine.LogEntry) error {
		b.WriteString("\n  " + c.Name + "  | " + strings.TrimRight(e.Log, "\n"))
		return nil
	})
	return b.String()
}
