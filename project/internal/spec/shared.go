package spec

import (
	"strings"

	"github.com/berth-dev/berth/engine"
)

// Prefixes of a namespace mode (network_mode, ipc, pid) that names another container:
// a service's (its lowest-numbered replica) or any container by name or ID.
const (
	ServicePrefix   = "service:"
	ContainerPrefix = "container:"
)

// IsContainerRef reports whether mode names another container ("service:X" or
// "container:NAME") whose namespace the service joins.
func IsContainerRef(mode string) bool {
	return strings.HasPrefix(mode, ServicePrefix) || strings.HasPrefix(mode, ContainerPrefix)
}

// RefService is the service X of mode "service:X", or "".
func RefService(mode string) string {
	s, ok := strings.CutPrefix(mode, ServicePrefix)
	if !ok {
		return ""
	}
	return s
}

// joinNetwork makes spec run in the network of peer, the spec of the container it
// joins (network_mode service: or container:), as Docker does: the peer's network
// namespace (or the host's), and its hostname, domain name, /etc/hosts and
// /etc/resolv.conf.
func joinNetwork(spec *engine.Spec, peer *engine.Spec) {
	spec.NetNSPath, spec.HostNetwork, spec.SharedNetNS = peer.NetNSPath, peer.HostNetwork, true
	spec.Hostname, spec.Domainname = peer.Hostname, peer.Domainname
	spec.Hosts, spec.ResolvConf = peer.Hosts, peer.ResolvConf
}
