package netdriver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Attach connects the network namespace at nsPath to network: a veth pair whose peer is
// created directly inside the namespace (no move), named eth0, eth1, … (the lowest free), with
// the allocated or static address; the host end joins the bridge with hairpin mode. The first
// network attached to a namespace provides its default route; lo is brought up. Errors wrap
// ErrNotFound (no such network), ErrInvalid (static address outside the subnet) or ErrExists
// (static address taken). Attaching an already attached namespace returns its endpoint.
func (d *Driver) Attach(ctx context.Context, nsPath, network string, opts AttachOptions) (*Endpoint, error) {
	var out *Endpoint
	// State is written once, before the veth is made (record); only a failure changes
	// it again.
	err := d.withState(false, func(st *state) error {
		n, ok := st.Networks[network]
		if !ok {
			return fmt.Errorf("network: %w", ErrNotFound)
		}
		if ep, ok := n.Endpoints[nsPath]; ok {
			out = ep.public(n)
			return nil
		}
		addr, err := pickAddr(n.Subnet, opts.IPv4, n.takenAddrs())
		if err != nil {
			return err
		}
		ep := &endpointState{NsPath: nsPath, Address: addr, IfName: st.freeIfName(nsPath),
			HostIf: shortName(d.opts.NamePrefix, 'v', EndpointKey(network, nsPath), 0)}
		n.Endpoints[nsPath] = ep // recorded before the veth exists
		if err := d.record(st); err != nil {
			return err
		}
		mac := opts.MAC
		if mac == nil {
			mac = MACFor(addr)
		}
		if err := attachVeth(n, ep, mac); err != nil {
			delete(n.Endpoints, nsPath)
			_ = removeLink(ep.HostIf)
			return errors.Join(err, d.record(st))
		}
		out = ep.public(n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("attach %s to network %q: %w", nsPath, network, err)
	}
	return out, nil
}

// MACFor is the MAC address of the interface that has addr, as Docker long derived
// it: 02:42 and the address's four bytes. A container recreated with the same
// address keeps its MAC, so its neighbours' ARP caches stay right: with a new random
// MAC, a peer that kept talking to the address (a health check, a pool) kept the old
// entry REACHABLE and could not connect to the new container.
func MACFor(addr netip.Addr) net.HardwareAddr {
	b := addr.As4()
	return net.HardwareAddr{0x02, 0x42, b[0], b[1], b[2], b[3]}
}

func (ep *endpointState) public(n *netState) *Endpoint {
	return &Endpoint{Key: EndpointKey(n.Name, ep.NsPath), IfName: ep.IfName,
		Address: netip.PrefixFrom(ep.Address, n.Subnet.Bits()), Gateway: n.Gateway}
}

func attachVeth(n *netState, ep *endpointState, mac net.HardwareAddr) error {
	nsh, err := netns.GetFromPath(ep.NsPath)
	if err != nil {
		return fmt.Errorf("open netns: %w", err)
	}
	defer nsh.Close()
	in, err := netlink.NewHandleAt(nsh)
	if err != nil {
		return fmt.Errorf("open netlink in netns: %w", err)
	}
	defer in.Close()
	br, err := netlink.LinkByName(n.Bridge)
	if err != nil {
		return fmt.Errorf("find bridge %q: %w", n.Bridge, err)
	}
	veth := &netlink.Veth{
		LinkAttrs:        netlink.LinkAttrs{Name: ep.HostIf, MasterIndex: br.Attrs().Index, MTU: br.Attrs().MTU},
		PeerName:         ep.IfName,
		PeerNamespace:    netlink.NsFd(int(nsh)),
		PeerHardwareAddr: mac,
	}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("create veth %q: %w", ep.HostIf, err)
	}
	host, err := netlink.LinkByName(ep.HostIf)
	if err != nil {
		return fmt.Errorf("find veth %q: %w", ep.HostIf, err)
	}
	if err := netlink.LinkSetHairpin(host, true); err != nil {
		return fmt.Errorf("hairpin on %q: %w", ep.HostIf, err)
	}
	if err := netlink.LinkSetUp(host); err != nil {
		return fmt.Errorf("bring up %q: %w", ep.HostIf, err)
	}
	return configurePeer(in, n, ep)
}

// freeIfName returns the lowest ethN that no recorded endpoint of nsPath uses.
func (st *state) freeIfName(nsPath string) string {
	used := map[string]bool{}
	for _, n := range st.Networks {
		if ep, ok := n.Endpoints[nsPath]; ok {
			used[ep.IfName] = true
		}
	}
	for i := 0; ; i++ {
		if name := fmt.Sprintf("eth%d", i); !used[name] {
			return name
		}
	}
}

func configurePeer(in *netlink.Handle, n *netState, ep *endpointState) error {
	peer, err := in.LinkByName(ep.IfName)
	if err != nil {
		return fmt.Errorf("find %s in netns: %w", ep.IfName, err)
	}
	addr := &netlink.Addr{IPNet: prefixIPNet(netip.PrefixFrom(ep.Address, n.Subnet.Bits()))}
	if err := in.AddrAdd(peer, addr); err != nil {
		return fmt.Errorf("address %s: %w", ep.IfName, err)
	}
	if err := in.LinkSetUp(peer); err != nil {
		return fmt.Errorf("bring up %s: %w", ep.IfName, err)
	}
	if lo, err := in.LinkByName("lo"); err == nil && lo.Attrs().Flags&net.FlagUp == 0 {
		if err := in.LinkSetUp(lo); err != nil {
			return fmt.Errorf("bring up lo: %w", err)
		}
	}
	route := &netlink.Route{LinkIndex: peer.Attrs().Index, Gw: n.Gateway.AsSlice()}
	if err := in.RouteAdd(route); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("default route via %s: %w", n.Gateway, err)
	}
	return nil
}

// Detach removes the endpoint of nsPath on network: its published ports, its veth and its
// address allocation. When that endpoint carried the namespace's default route and the
// namespace is still attached elsewhere, the default route moves to the gateway of a remaining
// network (non-internal first, then the lowest interface name). A missing endpoint or network
// is success.
func (d *Driver) Detach(ctx context.Context, nsPath, network string) error {
	err := d.withState(true, func(st *state) error {
		n, ok := st.Networks[network]
		if !ok {
			return nil
		}
		ep, ok := n.Endpoints[nsPath]
		if !ok {
			return nil
		}
		if err := removeLink(ep.HostIf); err != nil {
			return err
		}
		delete(n.Endpoints, nsPath)
		if err := st.ensureDefaultRoute(nsPath); err != nil {
			return err
		}
		if len(ep.Ports) == 0 {
			return nil
		}
		if err := d.syncRules(st); err != nil {
			return err
		}
		return clearStaleFlows(nil, []netip.Addr{ep.Address})
	})
	if err != nil {
		return fmt.Errorf("detach %s from network %q: %w", nsPath, network, err)
	}
	return nil
}

// ensureDefaultRoute gives the namespace at nsPath a default route via a remaining network's
// gateway when it has none (its holder was just detached). Non-internal networks come first,
// then the lowest interface name; with no endpoint left it does nothing.
func (st *state) ensureDefaultRoute(nsPath string) error {
	var best *endpointState
	var bestNet *netState
	for _, n := range st.Networks {
		ep, ok := n.Endpoints[nsPath]
		if !ok {
			continue
		}
		if best == nil || (bestNet.Internal && !n.Internal) ||
			(bestNet.Internal == n.Internal && ep.IfName < best.IfName) {
			best, bestNet = ep, n
		}
	}
	if best == nil {
		return nil
	}
	nsh, err := netns.GetFromPath(nsPath)
	if err != nil {
		return fmt.Errorf("open netns: %w", err)
	}
	defer nsh.Close()
	in, err := netlink.NewHandleAt(nsh)
	if err != nil {
		return fmt.Errorf("open netlink in netns: %w", err)
	}
	defer in.Close()
	routes, err := in.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: unix.RT_TABLE_MAIN},
		netlink.RT_FILTER_TABLE)
	if err != nil {
		return fmt.Errorf("list routes in netns: %w", err)
	}
	for _, r := range routes {
		if r.Dst == nil || (r.Dst.IP.IsUnspecified() && isZeroMask(r.Dst.Mask)) {
			return nil
		}
	}
	peer, err := in.LinkByName(best.IfName)
	if err != nil {
		return fmt.Errorf("find %s in netns: %w", best.IfName, err)
	}
	route := &netlink.Route{LinkIndex: peer.Attrs().Index, Gw: bestNet.Gateway.AsSlice()}
	if err := in.RouteAdd(route); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("default route via %s: %w", bestNet.Gateway, err)
	}
	return nil
}

func isZeroMask(m net.IPMask) bool {
	ones, _ := m.Size()
	return ones == 0
}
