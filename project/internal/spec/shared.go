package spec

import (
	"fmt"
	"slices"
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

// checkNetworkMode refuses, as Docker does at create, what a service in another
// container's network (network_mode service: or container:) cannot have of its own:
// a hostname, dns servers, extra hosts, a MAC address, links, published or exposed
// ports (with Docker's words: "conflicting options: ...").
func checkNetworkMode(svc compose.ServiceConfig) error {
	if !IsContainerRef(svc.NetworkMode) {
		return nil
	}
	conflicts := []struct {
		key, what string
		set       bool
	}{
		{"hostname", "hostname", svc.Hostname != ""},
		{"dns", "dns", len(svc.DNS) > 0},
		{"extra_hosts", "custom host-to-IP mapping", len(svc.ExtraHosts) > 0},
		{"mac_address", "mac-address", svc.MacAddress != ""},
		{"links", "container type network can't be used with links", len(svc.Links) > 0},
		{"ports", "port publishing", len(svc.Ports) > 0},
		{"expose", "port exposing", len(svc.Expose) > 0},
	}
	for _, c := range conflicts {
		if c.set {
			return fmt.Errorf("services.%s.%s: conflicting options: %s and the network mode %q (it has the network of the container it joins): %w",
				svc.Name, c.key, c.what, svc.NetworkMode, state.ErrInvalid)
		}
	}
	return nil
}

// joinNetwork makes spec run in the network of peer, the spec of the container it
// joins (network_mode service: or container:), as Docker does: the peer's network
// namespace (its persistent one, the host's, or that of its PID 1 when it has neither:
// network_mode none), and its hostname, domain name, /etc/hosts and /etc/resolv.conf.
func joinNetwork(spec *engine.Spec, peer *engine.Spec) {
	spec.NetNSPath, spec.HostNetwork, spec.SharedNetNS = peer.NetNSPath, peer.HostNetwork, true
	if peer.NetNSPath == "" && !peer.HostNetwork {
		spec.NetNSPath = engine.NSContainer + peer.ID
	}
	spec.Hostname, spec.Domainname = peer.Hostname, peer.Domainname
	spec.Hosts, spec.ResolvConf = peer.Hosts, peer.ResolvConf
}

// checkNamespaces refuses values of uts, ipc and pid Docker does not take: uts "host",
// ipc "private", "shareable", "none" or "host", pid "host", and for ipc and pid another
// container's (service: or container:).
func checkNamespaces(svc compose.ServiceConfig) error {
	for _, k := range []struct{ key, mode string }{{"uts", svc.Uts}, {"ipc", svc.Ipc}, {"pid", svc.Pid}} {
		switch {
		case k.mode == "" || k.mode == engine.NSHost:
		case k.key == "ipc" && (k.mode == engine.NSPrivate || k.mode == engine.NSShareable || k.mode == engine.NSNone):
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

// ParseVolumesFrom splits a volumes_from entry ("svc", "svc:ro", "container:NAME:rw")
// into the container it names, as a namespace mode ("service:svc", "container:NAME"),
// and its access mode ("ro", "rw" or "": as the source has them).
func ParseVolumesFrom(entry string) (ref, mode string) {
	name := entry
	prefix := ServicePrefix
	if rest, ok := strings.CutPrefix(entry, ContainerPrefix); ok {
		name, prefix = rest, ContainerPrefix
	}
	if n, m, ok := strings.Cut(name, ":"); ok {
		name, mode = n, m
	}
	return prefix + name, mode
}

// checkVolumesFrom refuses a volumes_from entry without a name or with a mode other
// than ro or rw.
func checkVolumesFrom(svc compose.ServiceConfig) error {
	for i, v := range svc.VolumesFrom {
		ref, mode := ParseVolumesFrom(v)
		_, name, _ := strings.Cut(ref, ":")
		if name == "" || mode != "" && mode != "ro" && mode != "rw" {
			return fmt.Errorf("services.%s.volumes_from[%d]: %q is not [container:]NAME[:ro|:rw]: %w", svc.Name, i, v, state.ErrInvalid)
		}
	}
	return nil
}

// InheritedMounts are the mounts a volumes_from entry of access mode mode gives from
// the spec of its source: its binds (named and anonymous volumes, host paths) and
// image mounts at the same targets, read-only for "ro", writable for "rw", else as
// the source has them; not its tmpfs mounts, as with Docker.
func InheritedMounts(source engine.Spec, mode string) []engine.Mount {
	var out []engine.Mount
	for _, m := range source.Mounts {
		if m.Type == "tmpfs" {
			continue
		}
		m.CopyUp = false // populated, if at all, by the source
		switch mode {
		case "ro":
			m.ReadOnly = true
		case "rw":
			m.ReadOnly = false
		}
		out = append(out, m)
	}
	return out
}

// withInherited are mounts, a service's own, over inherited, those of its
// volumes_from in order: at a target, its own mount wins, else the last source's, as
// Docker registers them.
func withInherited(mounts, inherited []engine.Mount) []engine.Mount {
	own := map[string]bool{}
	for _, m := range mounts {
		own[m.Target] = true
	}
	last := map[string]int{}
	for i, m := range inherited {
		last[m.Target] = i
	}
	out := slices.Clone(mounts)
	for i, m := range inherited {
		if !own[m.Target] && last[m.Target] == i {
			out = append(out, m)
		}
	}
	return out
}
