package supervisor

import (
	"time"

	"github.com/berth-dev/berth/project/internal/state"
)

// probeInterval is the wait before the next probe, with healthcheck h, of a container
// whose current run began sinceStart ago and whose health is status: StartInterval while it is still
// starting within its start period, as Docker's start_interval, else Interval. A
// healthcheck without start_interval keeps Interval throughout.
func probeInterval(h state.HealthSpec, sinceStart time.Duration, status string) time.Duration {
	if h.StartInterval > 0 && sinceStart < h.StartPeriod && status == state.HealthStarting {
		return h.StartInterval
	}
	return h.Interval
}
