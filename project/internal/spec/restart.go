package spec

import (
	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project/internal/state"
)

// Restart returns the service's restart policy as the supervisor keeps it: the
// loader's compose.ServiceConfig.EffectiveRestart (deploy.restart_policy over restart:;
// CheckSupported refused the policies Docker refuses).
func Restart(svc compose.ServiceConfig) state.RestartPolicy {
	r := svc.EffectiveRestart()
	return state.RestartPolicy{Name: r.Name, MaxRetries: r.MaxRetries}
}
