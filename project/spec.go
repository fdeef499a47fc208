package project

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/dnsserver"
	"github.com/berth-dev/berth/engine"
)

// containerSpec is the engine spec of container c of svc (of p), running img, from the
// resources ensureResources made for it. It makes nothing: it only reads the env files
// and the seccomp profile svc names.
func containerSpec(cfg Config, p *compose.Project, c *ContainerState, svc compose.ServiceConfig, img resolvedImage, res containerResources) (engine.Spec, error) {
	spec := baseSpec(svc)
	spec.ID, spec.LayerDirs, spec.Image, spec.Hostname = c.ID, img.layers, img.img.Config.Config, c.Hostname
	spec.Labels = c.Labels // Down finds the project's containers by them if its state is lost
	env, err := environment(p, svc)
	if err != nil {
		return spec, err
	}
	spec.Env = env
	if spec.Seccomp, err = seccompProfile(p, svc); err != nil {
		return spec, err
	}
	vols, err := mounts(cfg, p, svc, img.img.Config.Config, res.Anon)
	if err != nil {
		return spec, err
	}
	spec.Mounts = sortMounts(append(vols, res.Objects...))
	spec.NetNSPath = c.NetNS
	spec.Hosts = hostsFile(svc, c.Hostname, res.Addrs)
	spec.ResolvConf = resolvConf(svc, res)
	spec.ExitHook, spec.ExitHookEnv, spec.ExitHookUnlessListening = res.ExitHook, res.ExitHookEnv, res.Socket
	return spec, nil
}

// resolvConf is the container's /etc/resolv.conf: its dns: servers, else the embedded
// DNS on its first network's gateway forwarding to the host's, else the host's with
// network_mode: host; dns_search and dns_opt apply over it. Empty: the image's.
func resolvConf(svc compose.ServiceConfig, res containerResources) string {
	var conf string
	switch {
	case len(svc.DNS) > 0:
		var b strings.Builder
		for _, s := range svc.DNS {
			fmt.Fprintf(&b, "nameserver %s\n", s)
		}
		conf = b.String()
	case res.Gateway.IsValid():
		conf = string(dnsserver.ResolvConf(res.Gateway, res.HostResolvConf))
	case svc.NetworkMode == "host":
		conf = string(res.HostResolvConf)
	}
	if conf == "" {
		return ""
	}
	return resolvOverrides(conf, svc.DNSSearch, svc.DNSOpts)
}
