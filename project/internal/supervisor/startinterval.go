package supervisor

import (
	"time"

	"github.com/berth-dev/berth/project/internal/state"
)

// defaultStartInterval is Docker's start_interval when a healthcheck sets none.
const defaultStartInterval = 5 * time.Second

// probeInterval is the wait before the next probe, with healthcheck h, of a container
// whose current run began sinceStart ago and whose health is status, as Docker's
// health monitor: the start interval (start_interval, default 5s) while it is still
// starting within its start period, else Interval. Without a start period it is always
// Interval.
func probeInterval(h state.HealthSpec, sinceStart time.Duration, status string) time.Duration {
	if sinceStart < h.StartPeriod && status == state.HealthStarting {
		if h.StartInterval > 0 {
			return h.StartInterval
		}
		return defaultStartInterval
	}
	return h.Interval
}
