package project

import (
	"fmt"
	"os"
	"path"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

// checkSupported rejects what this orchestrator cannot run yet, before anything is made.
func checkSupported(svc compose.ServiceConfig) error {
	switch {
	case svc.Image == "" && svc.Build == nil:
		return fmt.Errorf("service %q: neither image nor build is set: %w", svc.Name, ErrInvalid)
	case svc.NetworkMode != "" && svc.NetworkMode != "host" && svc.NetworkMode != "none":
		return fmt.Errorf("service %q: network_mode %q is not supported yet: %w", svc.Name, svc.NetworkMode, ErrInvalid)
	}
	for _, v := range svc.Volumes {
		if v.Type != "bind" && v.Type != "volume" && v.Type != "tmpfs" {
			return fmt.Errorf("service %q: volume type %q is not supported: %w", svc.Name, v.Type, ErrInvalid)
		}
	}
	for i, t := range svc.Tmpfs {
		if _, err := tmpfsMount(t); err != nil {
			return fmt.Errorf("services.%s.tmpfs[%d]: %w", svc.Name, i, err)
		}
	}
	for i, r := range svc.DeviceCgroupRules {
		if _, err := engine.ParseDeviceRule(r); err != nil {
			return fmt.Errorf("services.%s.device_cgroup_rules[%d]: %w", svc.Name, i, err)
		}
	}
	if _, _, err := logRotation(svc); err != nil {
		return fmt.Errorf("services.%s.logging.options: %w", svc.Name, err)
	}
	_, err := restartPolicy(svc)
	return err
}

// checkService finds, before anything of the project is made, what would stop svc's
// containers from being made: unsupported settings, bad ports, secrets and configs, a
// seccomp profile that cannot be read or compiled, and bind volumes without their host
// directory.
func (c Config) checkService(p *compose.Project, svc compose.ServiceConfig) error {
	if err := checkSupported(svc); err != nil {
		return err
	}
	if _, err := portMappings(svc); err != nil {
		return err
	}
	if _, err := c.objectMounts(p, svc, true); err != nil {
		return err
	}
	if _, err := seccompProfile(p, svc); err != nil {
		return err
	}
	return checkBindDevices(p, svc)
}

// checkBindDevices refuses, before anything is made, a bind volume of svc whose device
// is not an existing absolute path (Docker fails the container's start for it).
func checkBindDevices(p *compose.Project, svc compose.ServiceConfig) error {
	for _, v := range svc.Volumes {
		if v.Type != "volume" || v.Source == "" {
			continue
		}
		dev, ok := p.Volumes[v.Source].BindDevice()
		if !ok {
			continue
		}
		if !path.IsAbs(dev) {
			return fmt.Errorf("volume %q: driver_opts.device %q must be an absolute path: %w", v.Source, dev, ErrInvalid)
		}
		if _, err := os.Stat(dev); err != nil {
			return fmt.Errorf("volume %q: driver_opts.device: %w", v.Source, err)
		}
	}
	return nil
}
