package kube

import (
	"math"
	"time"

	"github.com/berth-dev/berth/compose"
	corev1 "k8s.io/api/core/v1"
)

// Docker's healthcheck defaults.
const (
	defaultInterval = 30 * time.Second
	defaultTimeout  = 30 * time.Second
	defaultRetries  = 3
)

// probes maps a healthcheck to a readiness probe (the service's name resolves only to
// healthy pods, as depends_on service_healthy waits for), a liveness probe with the
// same check (retries failures in a row restart the container) and, for a
// start_period, a startup probe that holds both back meanwhile.
func (c *converter) probes(s compose.ServiceConfig) (ready, live, startup *corev1.Probe) {
	hc := s.HealthCheck
	if hc == nil || hc.Disable || len(hc.Test) == 0 || hc.Test[0] == "NONE" {
		return nil, nil, nil
	}
	handler, ok := c.probeHandler(s, hc.Test)
	if !ok {
		return nil, nil, nil
	}
	interval := durationOr(hc.Interval, defaultInterval)
	retries := int32(defaultRetries)
	if hc.Retries != nil {
		retries = int32(*hc.Retries)
	}
	probe := func() *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler:     handler,
			PeriodSeconds:    seconds(interval),
			TimeoutSeconds:   seconds(durationOr(hc.Timeout, defaultTimeout)),
			FailureThreshold: retries,
		}
	}
	ready, live = probe(), probe()
	if hc.StartPeriod != nil && *hc.StartPeriod > 0 {
		startup = probe()
		every := durationOr(hc.StartInterval, interval)
		startup.PeriodSeconds = seconds(every)
		startup.FailureThreshold = int32(math.Ceil(float64(*hc.StartPeriod)/float64(time.Duration(startup.PeriodSeconds)*time.Second))) + retries
	}
	return ready, live, startup
}

// probeHandler runs the test as Docker does: CMD as it is, CMD-SHELL in /bin/sh -c.
func (c *converter) probeHandler(s compose.ServiceConfig, test compose.HealthCheckTest) (corev1.ProbeHandler, bool) {
	var cmd []string
	switch test[0] {
	case "CMD":
		cmd = test[1:]
	case "CMD-SHELL":
		cmd = append([]string{"/bin/sh", "-c"}, test[1:]...)
	default:
		cmd = append([]string{"/bin/sh", "-c"}, test...)
	}
	if len(cmd) == 0 {
		c.warn("services."+s.Name+".healthcheck.test", "an empty test has no probe")
		return corev1.ProbeHandler{}, false
	}
	return corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: cmd}}, true
}

func durationOr(d *compose.Duration, def time.Duration) time.Duration {
	if d == nil || *d <= 0 {
		return def
	}
	return time.Duration(*d)
}

// seconds is d in whole seconds, rounded up, at least 1 (a probe's unit).
func seconds(d time.Duration) int32 {
	s := int32(math.Ceil(d.Seconds()))
	if s < 1 {
		return 1
	}
	return s
}
