package spec

import (
	"fmt"
	"os"
	"path"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
)

// CheckSupported rejects what this orchestrator cannot run yet, before anything is made.
func CheckSupported(svc compose.ServiceConfig) error {
	switch {
	case svc.Image == "" && svc.Build == nil:
		return fmt.Errorf("service %q: neither image nor build is set: %w", svc.Name, state.ErrInvalid)
	case svc.NetworkMode != "" && svc.NetworkMode != "host" && svc.NetworkMode != "none" && !IsContainerRef(svc.NetworkMode):
		return fmt.Errorf("service %q: network_mode %q is not supported: %w", svc.Name, svc.NetworkMode, state.ErrInvalid)
	}
	if err := checkNetworkMode(svc); err != nil {
		return err
	}
	for _, v := range svc.Volumes {
		if v.Type != "bind" && v.Type != "volume" && v.Type != "tmpfs" && v.Type != "image" {
			return fmt.Errorf("service %q: volume type %q is not supported: %w", svc.Name, v.Type, state.ErrInvalid)
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
	if err := CheckLinuxKeys(svc); err != nil {
		return err
	}
	if err := checkNamespaces(svc); err != nil {
		return err
	}
	if err := checkVolumesFrom(svc); err != nil {
		return err
	}
	_, err := ParseRestart(svc)
	return err
}

// CheckBindDevices refuses, before anything is made, a bind volume of svc whose device
// is not an existing absolute path (Docker fails the container's start for it).
func CheckBindDevices(p *compose.Project, svc compose.ServiceConfig) error {
	for _, v := range svc.Volumes {
		if v.Type != "volume" || v.Source == "" {
			continue
		}
		dev, ok := p.Volumes[v.Source].BindDevice()
		if !ok {
			continue
		}
		if !path.IsAbs(dev) {
			return fmt.Errorf("volume %q: driver_opts.device %q must be an absolute path: %w", v.Source, dev, state.ErrInvalid)
		}
		if _, err := os.Stat(dev); err != nil {
			return fmt.Errorf("volume %q: driver_opts.device: %w", v.Source, err)
		}
	}
	return nil
}
