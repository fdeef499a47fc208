package project

import "time"

// probeInterval is the wait before the next probe of a container whose current run
// began sinceStart ago and whose health is status: StartInterval while it is still
// starting within its start period, as Docker's start_interval, else Interval. A
// healthcheck without start_interval keeps Interval throughout.
func (h *HealthSpec) probeInterval(sinceStart time.Duration, status string) time.Duration {
	if h.StartInterval > 0 && sinceStart < h.StartPeriod && status == HealthStarting {
		return h.StartInterval
	}
	return h.Interval
}
