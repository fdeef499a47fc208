package kube

import (
	"math"

	"github.com/berth-dev/berth/compose"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// resources maps deploy.resources (and the older cpus, mem_limit, mem_reservation):
// limits to limits, reservations to requests.
func (c *converter) resources(s compose.ServiceConfig) corev1.ResourceRequirements {
	var lim, res compose.Resource
	if s.Deploy != nil {
		if l := s.Deploy.Resources.Limits; l != nil {
			lim = *l
			c.warnResource(s, "limits", l)
		}
		if r := s.Deploy.Resources.Reservations; r != nil {
			res = *r
			c.warnResource(s, "reservations", r)
		}
	}
	if lim.NanoCPUs == 0 {
		lim.NanoCPUs = compose.NanoCPUs(s.CPUS)
	}
	if lim.MemoryBytes == 0 {
		lim.MemoryBytes = s.MemLimit
	}
	if res.MemoryBytes == 0 {
		res.MemoryBytes = s.MemReservation
	}
	return corev1.ResourceRequirements{Limits: resourceList(lim), Requests: resourceList(res)}
}

func (c *converter) warnResource(s compose.ServiceConfig, kind string, r *compose.Resource) {
	path := "services." + s.Name + ".deploy.resources." + kind
	if r.Pids != 0 {
		c.warn(path+".pids", "a pids limit is set per node by the kubelet, not per container; left out")
	}
	if len(r.Devices) > 0 {
		c.warn(path+".devices", "devices are requested through device plugins' resource names (nvidia.com/gpu); left out")
	}
	if len(r.GenericResources) > 0 {
		c.warn(path+".generic_resources", "generic resources are Swarm's; left out")
	}
}

// resourceList holds the CPU (in millicores) and memory of r; nil when neither is set.
func resourceList(r compose.Resource) corev1.ResourceList {
	out := corev1.ResourceList{}
	if r.NanoCPUs > 0 {
		out[corev1.ResourceCPU] = *resource.NewMilliQuantity(int64(math.Round(float64(r.NanoCPUs)*1000)), resource.DecimalSI)
	}
	if r.MemoryBytes > 0 {
		out[corev1.ResourceMemory] = *resource.NewQuantity(int64(r.MemoryBytes), resource.BinarySI)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
