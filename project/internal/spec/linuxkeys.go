package spec

import (
	"fmt"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

// linuxKeys fills the engine spec from the service's resource, process and cgroup
// keys, as Docker Compose passes them to Docker: group_add, oom_score_adj,
// cgroup_parent, cgroup, logging driver none, cpuset, cpu_rt_*, mem_reservation (or
// deploy.resources.reservations.memory, which wins), mem_swappiness (0 is unset, as
// in Compose), oom_kill_disable and blkio_config.
func linuxKeys(svc compose.ServiceConfig, s *engine.Spec) {
	s.GroupAdd = svc.GroupAdd
	s.OOMScoreAdj = int(svc.OomScoreAdj)
	s.CgroupParent = svc.CgroupParent
	s.CgroupNS = svc.Cgroup
	s.NoLog = noLocalLog(svc)
	r := &s.Resources
	r.CpusetCpus = svc.CPUSet
	r.CPURealtimePeriod, r.CPURealtimeRuntime = svc.CPURTPeriod, svc.CPURTRuntime
	r.MemoryReservation = int64(svc.MemReservation)
	if d := svc.Deploy; d != nil && d.Resources.Reservations != nil && d.Resources.Reservations.MemoryBytes != 0 {
		r.MemoryReservation = int64(d.Resources.Reservations.MemoryBytes)
	}
	if svc.MemSwappiness != 0 {
		v := int64(svc.MemSwappiness)
		r.MemorySwappiness = &v
	}
	r.OOMKillDisable = svc.OomKillDisable
	r.Blkio = blkio(svc.BlkioConfig)
}

// blkio turns blkio_config into the engine's settings.
func blkio(b *compose.BlkioConfig) engine.Blkio {
	if b == nil {
		return engine.Blkio{}
	}
	out := engine.Blkio{Weight: b.Weight}
	for _, d := range b.WeightDevice {
		out.WeightDevice = append(out.WeightDevice, engine.WeightDevice{Path: d.Path, Weight: d.Weight})
	}
	throttle := func(ds []compose.ThrottleDevice) []engine.ThrottleDevice {
		var out []engine.ThrottleDevice
		for _, d := range ds {
			out = append(out, engine.ThrottleDevice{Path: d.Path, Rate: uint64(d.Rate)})
		}
		return out
	}
	out.ReadBps, out.WriteBps = throttle(b.DeviceReadBps), throttle(b.DeviceWriteBps)
	out.ReadIOps, out.WriteIOps = throttle(b.DeviceReadIOps), throttle(b.DeviceWriteIOps)
	return out
}

// unappliedKeys are the compose keys behind the engine's Resources.Unapplied names.
var unappliedKeys = map[string]string{
	"CpusetCpus":       "cpuset",
	"MemorySwappiness": "mem_swappiness",
	"OOMKillDisable":   "oom_kill_disable",
	"Blkio":            "blkio_config",
	"Blkio.Weight":     "blkio_config.weight",
}

// HostWarnings lists the settings of the project's services that this host's kernel
// cannot apply and that berth therefore leaves out, as Docker discards them with a
// warning (mem_swappiness and oom_kill_disable on cgroup v2, blkio weights without a
// proportional IO scheduler, ...), the log drivers it has no socket for
// (LogDriverWarnings) and the OCI hooks of CDI specs, each at its place in the
// compose files.
func HostWarnings(p *compose.Project) []compose.Warning {
	var out []compose.Warning
	for _, name := range p.ServiceNames() {
		var s engine.Spec
		linuxKeys(p.Services[name], &s)
		for _, f := range s.Resources.Unapplied() {
			key := unappliedKeys[f]
			out = append(out, p.WarningAt("services."+name+"."+key,
				fmt.Sprintf("this host's kernel cannot apply %s (no such cgroup file or controller): left out, as Docker discards it", key)))
		}
	}
	out = append(out, LogDriverWarnings(p)...)
	return append(out, cdiWarnings(p)...)
}

// mountOptions adds a volume's propagation (bind), subpath (volume, image) and image
// source (type image: the image reference, whose layers the executor finds: Resources.ImageLayers) to m. A
// volume with a subpath is not populated from the image, as Docker.
func mountOptions(v compose.ServiceVolumeConfig, m *engine.Mount) {
	if v.Bind != nil {
		m.Propagation = v.Bind.Propagation
	}
	if v.Volume != nil && v.Volume.Subpath != "" {
		m.Subpath, m.CopyUp = v.Volume.Subpath, false
	}
	if v.Type == "image" {
		*m = engine.Mount{Type: "image", Source: v.Source, Target: v.Target, ReadOnly: true}
		if v.Image != nil {
			m.Subpath = v.Image.Subpath
		}
	}
}
