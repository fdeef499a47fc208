package spec

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
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

// checkNamespaces refuses values of uts, ipc and pid Docker does not take: uts "host",
// ipc "private", "shareable" or "host", pid "host", and for ipc and pid another
// container's (service: or container:).
func checkNamespaces(svc compose.ServiceConfig) error {
	for _, k := range []struct{ key, mode string }{{"uts", svc.Uts}, {"ipc", svc.Ipc}, {"pid", svc.Pid}} {
		switch {
		case k.mode == "" || k.mode == engine.NSHost:
		case k.key == "ipc" && (k.mode == engine.NSPrivate || k.mode == engine.NSShareable):
		case k.key != "uts" && IsContainerRef(k.mode) && len(k.mode) > strings.Index(k.mode, ":")+1:
		default:
			return fmt.Errorf("services.%s.%s: %q is not a namespace mode (want host%s): %w", svc.Name, k.key, k.mode,
				map[bool]string{true: "", false: ", service:NAME or container:NAME"}[k.key == "uts"], state.ErrInvalid)
		}
	}
	return nil
}

// namespaceModes sets spec's uts, ipc and pid modes from svc's; res names the
// containers whose namespaces it joins.
func namespaceModes(spec *engine.Spec, svc compose.ServiceConfig, res Resources) {
	spec.UTSMode = svc.Uts
	spec.IPCMode, spec.PIDMode = svc.Ipc, svc.Pid
	if res.IPCPeer != "" {
		spec.IPCMode = engine.NSContainer + res.IPCPeer
	}
	if res.PIDPeer != "" {
		spec.PIDMode = engine.NSContainer + res.PIDPeer
	}
}
