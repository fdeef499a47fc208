package supervisor

import (
	"testing"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project/internal/spec"
	"github.com/berth-dev/berth/project/internal/state"
)

// TestStartInterval: start_interval reaches the health spec and sets the wait between
// probes while the container starts within its start period, and only then.
func TestStartInterval(t *testing.T) {
	d := func(v time.Duration) *compose.Duration { c := compose.Duration(v); return &c }
	h := spec.ParseHealth(compose.ServiceConfig{HealthCheck: &compose.HealthCheckConfig{Test: []string{"CMD", "true"},
		Interval: d(time.Minute), StartPeriod: d(30 * time.Second), StartInterval: d(time.Second)}}, nil)
	if h == nil || h.StartInterval != time.Second {
		t.Fatalf("ParseHealth = %+v, want StartInterval 1s", h)
	}
	for _, c := range []struct {
		since  time.Duration
		status string
		want   time.Duration
	}{
		{time.Second, state.HealthStarting, time.Second},
		{time.Second, state.HealthHealthy, time.Minute},
		{time.Minute, state.HealthStarting, time.Minute},
	} {
		if got := probeInterval(*h, c.since, c.status); got != c.want {
			t.Errorf("probeInterval(%v, %s) = %v, want %v", c.since, c.status, got, c.want)
		}
	}
	h.StartInterval = 0
	if got := probeInterval(*h, time.Second, state.HealthStarting); got != 5*time.Second {
		t.Errorf("probeInterval without start_interval = %v, want Docker's default 5s", got)
	}
	h.StartPeriod = 0
	if got := probeInterval(*h, 0, state.HealthStarting); got != time.Minute {
		t.Errorf("probeInterval without start_period = %v, want the interval", got)
	}
}
