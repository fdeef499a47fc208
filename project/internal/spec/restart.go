package spec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project/internal/state"
)

// deployConditions maps deploy.restart_policy.condition onto engine policies, as Compose
// does; an empty condition is Docker's empty policy name, which never restarts.
var deployConditions = map[string]string{
	"": state.RestartNo, "none": state.RestartNo, "no": state.RestartNo,
	"on-failure":     state.RestartOnFailure,
	"unless-stopped": state.RestartUnlessStopped,
	"any":            state.RestartAlways, "always": state.RestartAlways,
}

// ParseRestart returns the service's restart policy: deploy.restart_policy when set (it
// wins over restart:, as in Compose; its delay and window are ignored, as Compose does),
// else restart:, else state.RestartNo. A retry count with a policy other than on-failure is an
// error, as Docker's engine refuses it. Errors wrap state.ErrInvalid and name the field.
func ParseRestart(svc compose.ServiceConfig) (state.RestartPolicy, error) {
	if svc.Deploy != nil && svc.Deploy.RestartPolicy != nil {
		rp := svc.Deploy.RestartPolicy
		field := "services." + svc.Name + ".deploy.restart_policy"
		name, ok := deployConditions[rp.Condition]
		if !ok {
			return state.RestartPolicy{}, fmt.Errorf("%s.condition: %q: want none, on-failure or any: %w", field, rp.Condition, state.ErrInvalid)
		}
		p := state.RestartPolicy{Name: name}
		if rp.MaxAttempts != nil && *rp.MaxAttempts > 0 {
			if name != state.RestartOnFailure {
				return state.RestartPolicy{}, fmt.Errorf("%s.max_attempts: only allowed with condition on-failure (Docker refuses a retry count for %q): %w",
					field, rp.Condition, state.ErrInvalid)
			}
			if *rp.MaxAttempts > 1<<31-1 {
				return state.RestartPolicy{}, fmt.Errorf("%s.max_attempts: %d is too large: %w", field, *rp.MaxAttempts, state.ErrInvalid)
			}
			p.MaxRetries = int(*rp.MaxAttempts)
		}
		return p, nil
	}
	if svc.Restart == "" {
		return state.RestartPolicy{Name: state.RestartNo}, nil
	}
	field := "services." + svc.Name + ".restart"
	name, max, hasMax := strings.Cut(svc.Restart, ":")
	switch name {
	case state.RestartNo, state.RestartAlways, state.RestartOnFailure, state.RestartUnlessStopped:
	default:
		return state.RestartPolicy{}, fmt.Errorf("%s: %q: want no, always, on-failure[:max-retries] or unless-stopped: %w", field, svc.Restart, state.ErrInvalid)
	}
	p := state.RestartPolicy{Name: name}
	if !hasMax {
		return p, nil
	}
	if name != state.RestartOnFailure {
		return state.RestartPolicy{}, fmt.Errorf("%s: %q: a maximum retry count is only allowed with on-failure: %w", field, svc.Restart, state.ErrInvalid)
	}
	n, err := strconv.ParseInt(max, 10, 32)
	if err != nil || n < 0 {
		return state.RestartPolicy{}, fmt.Errorf("%s: %q: maximum retry count %q is not a number >= 0: %w", field, svc.Restart, max, state.ErrInvalid)
	}
	p.MaxRetries = int(n)
	return p, nil
}
