package netdriver

import (
	"fmt"
	"net/netip"

	"github.com/berth-dev/berth/netdriver/portproxy"
)

// ProxyRoutes returns the published ports of the endpoints in the network namespaces
// nsPaths that DNAT cannot serve, as routes for a userland proxy (portproxy), sorted as
// the state lists them:
//
//	mapping's host IP        container with IPv6          container without IPv6
//	none (every address)     [::1] → its IPv6 address     [::] → its IPv4 address
//	::                       [::1] → its IPv6 address     [::] → its IPv4 address
//	::1                      [::1] → its IPv6 address     [::1] → its IPv4 address
//	another IPv6 address     (DNAT)                       [addr] → its IPv4 address
//	0.0.0.0, IPv4 address    (DNAT)                       (DNAT)
//
// The kernel drops a DNATed ::1 connection (IPv6 has no route_localnet), and a
// container without IPv6 has no address for an ip6 DNAT. An [::] listener is IPv6-only.
// Reading takes the state lock shared with other berth processes.
func (d *Driver) ProxyRoutes(nsPaths []string) ([]portproxy.Route, error) {
	want := map[string]bool{}
	for _, p := range nsPaths {
		want[p] = true
	}
	var out []portproxy.Route
	err := d.withState(false, func(st *state) error {
		for _, n := range sortedNetworks(st) {
			for _, ep := range sortedEndpoints(n) {
				if !want[ep.NsPath] {
					continue
				}
				for _, pm := range ep.Ports {
					out = append(out, proxyRoutes(ep.Address, ep.Address6, pm)...)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("proxied ports: %w", err)
	}
	return out, nil
}

// proxyRoutes are the routes of pm, published for a container at addr4 and addr6
// (zero without IPv6), by ProxyRoutes' table.
func proxyRoutes(addr4, addr6 netip.Addr, pm PortMapping) []portproxy.Route {
	if !pm.inFamily(true) {
		return nil
	}
	target, listen := addr6, netip.IPv6Loopback()
	switch {
	case !addr6.IsValid():
		target, listen = addr4, pm.HostIP
		if !listen.IsValid() {
			listen = netip.IPv6Unspecified()
		}
	case pm.HostIP.IsValid() && !pm.HostIP.IsUnspecified() && pm.HostIP != netip.IPv6Loopback():
		return nil
	}
	var out []portproxy.Route
	for hp := uint32(pm.HostPort); hp <= uint32(pm.last()); hp++ {
		cp := pm.ContainerPort + uint16(hp-uint32(pm.HostPort))
		out = append(out, portproxy.Route{Protocol: pm.Protocol,
			Listen: netip.AddrPortFrom(listen, uint16(hp)), Target: netip.AddrPortFrom(target, cp)})
	}
	return out
}
