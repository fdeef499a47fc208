package project

import (
	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/spec"
)

// containerSpec is the engine spec of container c of svc, running img, from the
// resources ensureResources made for it (spec.Build: it makes nothing).
func containerSpec(cfg Config, p *compose.Project, c *ContainerState, svc compose.ServiceConfig, img resolvedImage, res spec.Resources) (engine.Spec, error) {
	return spec.Build(cfg.paths(), p, c, svc, img.img.Config.Config, img.layers, res)
}

// The translation of compose services into engine and netdriver terms, and the parsing
// of their healthchecks, restart policies and seccomp profiles, from internal/spec.
var (
	portMappings     = spec.PortMappings
	exposedPorts     = spec.ExposedPorts
	containerLabels  = spec.ContainerLabels
	healthSpec       = spec.ParseHealth
	restartPolicy    = spec.Restart
	seccompProfile   = spec.SeccompProfile
	checkSupported   = spec.CheckSupported
	anonymousTargets = spec.AnonymousTargets
)
