package spec

import (
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project/internal/state"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Docker's healthcheck defaults.
const (
	defaultHealthInterval = 30 * time.Second
	defaultHealthTimeout  = 30 * time.Second
	defaultHealthRetries  = 3
)

// ParseHealth merges the service's healthcheck over the image's HEALTHCHECK; nil means
// the container has none.
func ParseHealth(svc compose.ServiceConfig, img *v1.HealthConfig) *state.HealthSpec {
	h := &state.HealthSpec{Interval: defaultHealthInterval, Timeout: defaultHealthTimeout, Retries: defaultHealthRetries}
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
