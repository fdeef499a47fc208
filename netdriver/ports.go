package netdriver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// PortMapping publishes container ports on the host. HostPort 0 asks for a free port, which
// PublishPorts reports back; HostPortEnd > HostPort publishes the range HostPort..HostPortEnd
// onto ContainerPort.. in order. A zero or unspecified HostIP means every host address.
// Protocol is "tcp" (default) or "udp".
type PortMapping struct {
	HostIP        netip.Addr `json:"hostIP,omitzero"`
	HostPort      uint16     `json:"hostPort"`
	HostPortEnd   uint16     `json:"hostPortEnd,omitempty"`
	ContainerPort uint16     `json:"containerPort"`
	Protocol      string     `json:"protocol"`
}

func (pm PortMapping) last() uint16 {
	if pm.HostPortEnd > pm.HostPort {
		return pm.HostPortEnd
	}
	return pm.HostPort
}

// inFamily reports whether pm publishes on IPv6 (v6) or IPv4 host addresses: a mapping
// without a host address on both, as Docker; 0.0.0.0 or an IPv4 address on IPv4 only; ::
// or an IPv6 address on IPv6 only.
func (pm PortMapping) inFamily(v6 bool) bool {
	if !pm.HostIP.IsValid() {
		return true
	}
	return pm.HostIP.Is6() == v6
}

func (pm PortMapping) overlaps(o PortMapping) bool {
	if pm.Protocol != o.Protocol || pm.HostPort > o.last() || o.HostPort > pm.last() {
		return false
	}
	all := func(a netip.Addr) bool { return !a.IsValid() || a.IsUnspecified() }
	return all(pm.HostIP) || all(o.HostIP) || pm.HostIP == o.HostIP
}

// PublishPorts adds DNAT rules for the endpoint named by key (Endpoint.Key) and returns the
// mappings with every chosen port filled in. Published ports are reachable from the host on
// 127.0.0.1 and its own addresses, from other containers through a host address, and from
// outside. It fails, changing nothing, when a host port is held by another berth endpoint or by
// a listening socket on the host; the error (wrapping ErrExists) names the port and the holder
// where known. Errors also wrap ErrNotFound (unknown endpoint) and ErrInvalid (bad mapping).
// Conntrack entries that earlier packets left for the new host ports are deleted, so that
// clients keeping their source port are NATed by the new rules.
func (d *Driver) PublishPorts(ctx context.Context, key string, ports []PortMapping) ([]PortMapping, error) {
	var out []PortMapping
	err := d.withState(true, func(st *state) error {
		ep, err := st.endpoint(key)
		if err != nil {
			return err
		}
		var added []PortMapping
		for _, pm := range ports {
			if pm, err = st.checkPort(pm, added); err != nil {
				return err
			}
			added = append(added, pm)
		}
		before := ep.Ports
		ep.Ports = append(append([]PortMapping{}, before...), added...)
		if err := d.syncRules(st); err != nil {
			ep.Ports = before
			return err
		}
		if err := clearStaleFlows(added, nil, hasIPv6(st)); err != nil {
			ep.Ports = before
			return errors.Join(err, d.syncRules(st))
		}
		out = added
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("publish ports of %s: %w", key, err)
	}
	return out, nil
}

// UnpublishPorts removes every published port of the endpoint named by key, and the
// conntrack entries of flows DNATed to it, so no established flow keeps reaching it. A missing
// endpoint is success.
func (d *Driver) UnpublishPorts(ctx context.Context, key string) error {
	err := d.withState(true, func(st *state) error {
		ep, err := st.endpoint(key)
		if errors.Is(err, ErrNotFound) || (err == nil && len(ep.Ports) == 0) {
			return nil
		}
		if err != nil {
			return err
		}
		ep.Ports = nil
		if err := d.syncRules(st); err != nil {
			return err
		}
		return clearStaleFlows(nil, ep.addrs(), false)
	})
	if err != nil {
		return fmt.Errorf("unpublish ports of %s: %w", key, err)
	}
	return nil
}

func (st *state) endpoint(key string) (*endpointState, error) {
	for _, n := range st.Networks {
		for _, ep := range n.Endpoints {
			if EndpointKey(n.Name, ep.NsPath) == key {
				return ep, nil
			}
		}
	}
	return nil, fmt.Errorf("endpoint %q: %w", key, ErrNotFound)
}

// checkPort validates pm, picks a free port when HostPort is 0, and rejects a port that berth
// (st, or pending) or a host process already holds.
func (st *state) checkPort(pm PortMapping, pending []PortMapping) (PortMapping, error) {
	if pm.Protocol == "" {
		pm.Protocol = "tcp"
	}
	if pm.Protocol != "tcp" && pm.Protocol != "udp" {
		return pm, fmt.Errorf("protocol %q: want tcp or udp: %w", pm.Protocol, ErrInvalid)
	}
	if pm.ContainerPort == 0 || (pm.HostPortEnd != 0 && pm.HostPortEnd < pm.HostPort) ||
		int(pm.ContainerPort)+int(pm.last()-pm.HostPort) > 65535 {
		return pm, fmt.Errorf("port mapping %+v: %w", pm, ErrInvalid)
	}
	if pm.HostPort == 0 {
		p, err := freeHostPort(pm.Protocol)
		if err != nil {
			return pm, err
		}
		pm.HostPort, pm.HostPortEnd = p, 0
	}
	for _, n := range st.Networks {
		for _, ep := range n.Endpoints {
			for _, o := range ep.Ports {
				if pm.overlaps(o) {
					return pm, fmt.Errorf("host port %s/%d is already published by berth for %s on network %q: %w",
						pm.Protocol, o.HostPort, ep.NsPath, n.Name, ErrExists)
				}
			}
		}
	}
	for _, o := range pending {
		if pm.overlaps(o) {
			return pm, fmt.Errorf("host port %s/%d is requested twice: %w", pm.Protocol, o.HostPort, ErrExists)
		}
	}
	for p := uint32(pm.HostPort); p <= uint32(pm.last()); p++ {
		if holder, ok := PortHolder(pm.Protocol, uint16(p)); ok {
			return pm, fmt.Errorf("host port %s/%d is already in use by %s: %w", pm.Protocol, p, holder, ErrExists)
		}
	}
	return pm, nil
}

// freeHostPort asks the kernel for an ephemeral port that is free right now.
func freeHostPort(proto string) (uint16, error) {
	var addr string
	if proto == "udp" {
		c, err := net.ListenPacket("udp4", ":0")
		if err != nil {
			return 0, fmt.Errorf("pick a free udp port: %w", err)
		}
		addr = c.LocalAddr().String()
		c.Close()
	} else {
		l, err := net.Listen("tcp4", ":0")
		if err != nil {
			return 0, fmt.Errorf("pick a free tcp port: %w", err)
		}
		addr = l.Addr().String()
		l.Close()
	}
	_, p, _ := net.SplitHostPort(addr)
	n, err := strconv.ParseUint(p, 10, 16)
	return uint16(n), err
}
