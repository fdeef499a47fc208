package project

import (
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine"
)

// StatusRestarting is the state `ps` reports for a container whose main process exited
// and that its restart policy is about to start again (Docker's "restarting").
const StatusRestarting = "restarting"

// PSStatuses are the states PSOptions.Status accepts, as Compose's `ps --status`.
var PSStatuses = []string{"paused", "restarting", "removing", "running", "dead", "created", "exited"}

// checkStatuses fails, wrapping ErrInvalid, on a state Compose's --status does not know.
func checkStatuses(statuses []string) error {
	for _, s := range statuses {
		if !slices.Contains(PSStatuses, s) {
			return fmt.Errorf("invalid status %q: want one of %s: %w", s, strings.Join(PSStatuses, ", "), ErrInvalid)
		}
	}
	return nil
}

// matchStatus reports whether state is one of want; an empty want matches everything.
func matchStatus(state string, want []string) bool {
	return len(want) == 0 || slices.Contains(want, state)
}

// restartView answers, for ps, how often each container was restarted and whether one
// that exited is in its restart back-off. It reads restarts.json and asks whether the
// supervisor (which applies the policies) runs only once, and only when needed.
type restartView struct {
	cfg    Config
	name   string
	loaded bool
	counts map[string]int
	alive  bool
}

func newRestartView(cfg Config, name string) *restartView {
	return &restartView{cfg: cfg, name: name}
}

// of returns c's restart count and whether it is restarting: exited, not stopped by a
// user, with a policy that restarts it after this exit, while a supervisor runs to do
// it. An unreadable restarts.json counts as no restarts.
func (v *restartView) of(c *ContainerState, es engine.State) (int, bool) {
	if !c.Restart.Restarts() {
		return 0, false
	}
	if !v.loaded {
		v.loaded = true
		v.counts, _ = v.cfg.RestartCounts(v.name)
		v.alive = v.cfg.supervisorAlive(v.name)
	}
	count := v.counts[c.ID]
	if es.Status != engine.StatusExited || !v.alive {
		return count, false
	}
	// The supervisor counts a restart when its back-off begins, so during the back-off
	// before the last restart on-failure:N allows this reports exited, as it will be.
	return count, c.Restart.ShouldRestart(es.ExitCode, count, c.StoppedByUser)
}
