package project

import (
	"time"

	"github.com/berth-dev/berth/compose"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Docker's healthcheck defaults.
const (
	defaultHealthInterval = 30 * time.Second
	defaultHealthTimeout  = 30 * time.Second
	defaultHealthRetries  = 3
)

// HealthSpec is a container's healthcheck as the supervisor runs it.
type HealthSpec struct {
	// Test is the command: ["CMD", args...] or ["CMD-SHELL", script].
	Test        []string      `json:"test"`
	Interval    time.Duration `json:"interval"`
	Timeout     time.Duration `json:"timeout"`
	StartPeriod time.Duration `json:"startPeriod,omitempty"`
	// StartInterval, when set, is the time between probes while the container is
	// still starting within its start period (start_interval).
	StartInterval time.Duration `json:"startInterval,omitempty"`
	Retries       int           `json:"retries"`
}

// Health statuses, as Docker reports them.
const (
	HealthStarting  = "starting"
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
)

// healthSpec merges the service's healthcheck over the image's HEALTHCHECK; nil means
// the container has none.
func healthSpec(svc compose.ServiceConfig, img *v1.HealthConfig) *HealthSpec {
	h := &HealthSpec{Interval: defaultHealthInterval, Timeout: defaultHealthTimeout, Retries: defaultHealthRetries}
	if img != nil {
		h.Test = img.Test
		h.Interval = orDefault(img.Interval, h.Interval)
		h.Timeout = orDefault(img.Timeout, h.Timeout)
		h.StartPeriod = img.StartPeriod
		if img.Retries > 0 {
			h.Retries = img.Retries
		}
	}
	if hc := svc.HealthCheck; hc != nil {
		if hc.Disable {
			return nil
		}
		if len(hc.Test) > 0 {
			h.Test = hc.Test
		}
		h.Interval = orDefault(durationOf(hc.Interval), h.Interval)
		h.Timeout = orDefault(durationOf(hc.Timeout), h.Timeout)
		h.StartPeriod = orDefault(durationOf(hc.StartPeriod), h.StartPeriod)
		h.StartInterval = durationOf(hc.StartInterval)
		if hc.Retries != nil && *hc.Retries > 0 {
			h.Retries = int(*hc.Retries)
		}
	}
	if len(h.Test) == 0 || h.Test[0] == "NONE" {
		return nil
	}
	return h
}

// argv is the command the healthcheck execs in the container.
func (h *HealthSpec) argv() []string {
	switch h.Test[0] {
	case "CMD":
		return h.Test[1:]
	case "CMD-SHELL":
		return []string{"/bin/sh", "-c", h.Test[1]}
	}
	return h.Test
}

func durationOf(d *compose.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return time.Duration(*d)
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
