package plan

import (
	"fmt"
	"sort"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

// Compose's names, so that users' habits and scripts carry over.

// Replicas is the number of containers a service runs: scale, deploy.replicas, else 1.
func Replicas(svc compose.ServiceConfig) int {
	if svc.Scale != nil {
		return *svc.Scale
	}
	if svc.Deploy != nil && svc.Deploy.Replicas != nil {
		return *svc.Deploy.Replicas
	}
	return 1
}

// ContainerName is Compose's <project>-<service>-<n>, or container_name.
func ContainerName(project string, svc compose.ServiceConfig, n int) string {
	if svc.ContainerName != "" {
		return svc.ContainerName
	}
	return fmt.Sprintf("%s-%s-%d", project, svc.Name, n)
}

// NetworkName is the full name of a project network: name: if set, else <project>_<net>.
func NetworkName(p *compose.Project, net string) string {
	if n := p.Networks[net].Name; n != "" {
		return n
	}
	return p.Name + "_" + net
}

// VolumeName is the full name of a project volume: name: if set, else <project>_<vol>.
func VolumeName(p *compose.Project, vol string) string {
	if n := p.Volumes[vol].Name; n != "" {
		return n
	}
	return p.Name + "_" + vol
}

// ServiceNetworks returns the compose networks a service attaches to, highest priority
// first, then by name; nil for network_mode host or none.
func ServiceNetworks(svc compose.ServiceConfig) []string {
	if svc.NetworkMode != "" {
		return nil
	}
	if len(svc.Networks) == 0 {
		return []string{"default"}
	}
	var out []string
	for n := range svc.Networks {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		pi, pj := priority(svc, out[i]), priority(svc, out[j])
		if pi != pj {
			return pi > pj
		}
		return out[i] < out[j]
	})
	return out
}

func priority(svc compose.ServiceConfig, net string) int {
	if c := svc.Networks[net]; c != nil {
		return c.Priority
	}
	return 0
}

// IsLive reports whether a container has processes: running or paused.
func IsLive(s engine.Status) bool {
	return s == engine.StatusRunning || s == engine.StatusPaused
}
