package spec

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path"
	"slices"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

// runnableVolumeTypes are the mount types this orchestrator makes.
var runnableVolumeTypes = map[string]bool{"bind": true, "volume": true, "tmpfs": true, "image": true}

// CheckSupported refuses, before anything is made, what svc (a service of p, or a
// one-off copy of one) asks that cannot run: the values Docker's engine refuses
// (p.CheckService), what berth does not run yet (network_mode other than host and
// none and a container's, npipe and cluster mounts, a service with neither image nor
// build), the namespace and volumes_from references it cannot join, and what
// this host lacks (realtime scheduling for cpu_rt_*, the device of a bind volume, the
// CDI devices of gpus: and device requests). It
// lists every problem at once, each at its field's place in the compose files: the
// error is a compose.ErrorList (wrapping compose.ErrInvalid), nil when svc can run.
func CheckSupported(p *compose.Project, svc compose.ServiceConfig) error {
	errs := p.CheckService(svc)
	base := "services." + svc.Name
	if svc.Image == "" && svc.Build == nil {
		errs = append(errs, p.ErrorAt(base, "neither image nor build is set: berth cannot start this service"))
	}
	if svc.NetworkMode != "" && svc.NetworkMode != "host" && svc.NetworkMode != "none" && !IsContainerRef(svc.NetworkMode) {
		errs = append(errs, p.ErrorAt(base+".network_mode", "%q is not supported (host, none, service:NAME and container:NAME are)", svc.NetworkMode))
	}
	for i, v := range svc.Volumes {
		if !runnableVolumeTypes[v.Type] {
			errs = append(errs, p.ErrorAt(fmt.Sprintf("%s.volumes[%d].type", base, i), "volume type %q is not supported", v.Type))
		}
	}
	if svc.CPURTRuntime > 0 || svc.CPURTPeriod > 0 {
		if err := engine.CheckRealtime(); err != nil {
			errs = append(errs, p.ErrorAt(base+".cpu_rt_runtime", "%v", err))
		}
	}
	for i, d := range svc.DNS {
		if _, err := netip.ParseAddr(d); err != nil {
			errs = append(errs, p.ErrorAt(fmt.Sprintf("%s.dns[%d]", base, i), "%q is not an IP address", d))
		}
	}
	for _, c := range []struct {
		field string
		err   error
	}{{"network_mode", checkNetworkMode(svc)}, {"", checkNamespaces(svc)}, {"volumes_from", checkVolumesFrom(svc)}} {
		if c.err != nil {
			field := base
			if c.field != "" {
				field += "." + c.field
			}
			errs = append(errs, p.ErrorAt(field, "%v", c.err))
		}
	}
	errs = append(errs, bindDeviceErrors(p, svc)...)
	errs = append(errs, cdiErrors(p, svc)...)
	errs = append(errs, bindSourceErrors(p, svc)...)
	errs = append(errs, ipamErrors(p, svc)...)
	return errs.Err()
}

// ipamErrors lists the ipam.config values of svc's networks that Docker refuses when it
// creates the network: a subnet, gateway or ip_range that does not parse, a gateway or
// ip_range outside its subnet.
func ipamErrors(p *compose.Project, svc compose.ServiceConfig) compose.ErrorList {
	var errs compose.ErrorList
	nets := []string{"default"}
	if len(svc.Networks) > 0 {
		nets = slices.Sorted(maps.Keys(svc.Networks))
	}
	for _, n := range nets {
		cn := p.Networks[n]
		if cn.External || svc.NetworkMode != "" {
			continue
		}
		for i, pool := range cn.Ipam.Config {
			if pool == nil {
				continue
			}
			field := fmt.Sprintf("networks.%s.ipam.config[%d]", n, i)
			subnet, err := netip.ParsePrefix(pool.Subnet)
			if pool.Subnet != "" && err != nil {
				errs = append(errs, p.ErrorAt(field+".subnet", "%q is not a subnet (CIDR)", pool.Subnet))
			}
			if pool.Gateway != "" {
				if gw, err := netip.ParseAddr(pool.Gateway); err != nil || (subnet.IsValid() && !subnet.Contains(gw)) {
					errs = append(errs, p.ErrorAt(field+".gateway", "%q is not an address of subnet %q", pool.Gateway, pool.Subnet))
				}
			}
			if pool.IPRange != "" {
				rng, err := netip.ParsePrefix(pool.IPRange)
				if err != nil || (subnet.IsValid() && (rng.Bits() < subnet.Bits() || !subnet.Contains(rng.Addr()))) {
					errs = append(errs, p.ErrorAt(field+".ip_range", "%q is not a range (CIDR) inside subnet %q", pool.IPRange, pool.Subnet))
				}
			}
		}
	}
	return errs
}

// bindDeviceErrors lists the bind volumes of svc whose device is not an existing
// absolute path (Docker fails the container's start for it), at the volume's
// driver_opts.device.
func bindDeviceErrors(p *compose.Project, svc compose.ServiceConfig) compose.ErrorList {
	var errs compose.ErrorList
	for _, v := range svc.Volumes {
		if v.Type != "volume" || v.Source == "" {
			continue
		}
		dev, ok := p.Volumes[v.Source].BindDevice()
		if !ok {
			continue
		}
		field := "volumes." + v.Source + ".driver_opts.device"
		if !path.IsAbs(dev) {
			errs = append(errs, p.ErrorAt(field, "%q must be an absolute path", dev))
		} else if _, err := os.Stat(dev); err != nil {
			errs = append(errs, p.ErrorAt(field, "%v", err))
		}
	}
	return errs
}

// bindSourceErrors lists the bind mounts of svc whose host path is missing while
// bind.create_host_path is false (Compose creates a missing one otherwise), at the mount.
func bindSourceErrors(p *compose.Project, svc compose.ServiceConfig) compose.ErrorList {
	var errs compose.ErrorList
	for i, v := range svc.Volumes {
		if v.Type != "bind" || v.CreatesHostPath() {
			continue
		}
		if _, err := os.Stat(v.Source); errors.Is(err, os.ErrNotExist) {
			errs = append(errs, p.ErrorAt(fmt.Sprintf("services.%s.volumes[%d]", svc.Name, i),
				"bind source path %q does not exist and bind.create_host_path is false", v.Source))
		}
	}
	return errs
}
