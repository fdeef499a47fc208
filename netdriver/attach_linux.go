package netdriver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Attach connects the network namespace at nsPath to network: a veth pair whose peer is
// created directly inside the namespace (no move), named opts.IfName or else eth0, eth1, …
// (the lowest free), with the allocated or static addresses (IPv4, and IPv6 on an IPv6
// network) and opts.LinkLocal; the host end joins the bridge with hairpin mode; lo is brought
// up. Errors wrap ErrNotFound (no such network), ErrInvalid (static address outside the
// subnet) or ErrExists (static address or interface name taken). Attaching an already
// attached namespace returns its endpoint.
//
// The default route of each address family goes through the gateway of one of the
// namespace's networks, chosen as Docker chooses it: internal networks have no gateway;
// the highest GwPriority wins, then a dual-stack network, then the lowest network name.
// Attach and Detach move it when the choice changes.
//
// Only the addresses and names are allocated under the state lock (and recorded there,
// before the veth exists); the veth is made after the lock is released, so attaches of
// different namespaces run side by side. Calls for one namespace must not overlap.
func (d *Driver) Attach(ctx context.Context, nsPath, network string, opts AttachOptions) (*Endpoint, error) {
	st, n, ep, made, err := d.reserveEndpoint(nsPath, network, opts)
	if err == nil && !made {
		mac := opts.MAC
		if mac == nil {
			mac = MACFor(ep.Address)
		}
		err = attachVeth(st, n, ep, mac)
		if err != nil {
			err = errors.Join(err, d.releaseEndpoint(network, ep))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("attach %s to network %q: %w", nsPath, network, err)
	}
	return ep.public(n), nil
}

// reserveEndpoint allocates and records the endpoint of nsPath on network, or returns
// the recorded one with made true. st is the state it recorded.
func (d *Driver) reserveEndpoint(nsPath, network string, opts AttachOptions) (st *state, n *netState, ep *endpointState, made bool, err error) {
	err = d.withState(false, func(s *state) error {
		st = s
		var ok bool
		if n, ok = st.Networks[network]; !ok {
			return fmt.Errorf("network: %w", ErrNotFound)
		}
		if ep, made = n.Endpoints[nsPath]; made {
			return nil
		}
		if ep, err = st.planEndpoint(n, nsPath, opts); err != nil {
			return err
		}
		ep.HostIf = shortName(d.opts.NamePrefix, 'v', EndpointKey(network, nsPath), 0)
		n.Endpoints[nsPath] = ep // recorded before the veth exists
		return d.record(st)
	})
	return st, n, ep, made, err
}

// planEndpoint allocates the addresses and interface name of nsPath's endpoint on n.
func (st *state) planEndpoint(n *netState, nsPath string, opts AttachOptions) (*endpointState, error) {
	taken := n.takenAddrs()
	addr, err := pickAddr(n.Subnet, n.IPRange, opts.IPv4, taken)
	if err != nil {
		return nil, err
	}
	var addr6 netip.Addr
	switch {
	case n.Subnet6.IsValid():
		if addr6, err = pickAddr(n.Subnet6, n.IPRange6, opts.IPv6, taken); err != nil {
			return nil, err
		}
	case opts.IPv6.IsValid():
		return nil, fmt.Errorf("address %s: the network has no IPv6: %w", opts.IPv6, ErrInvalid)
	}
	ifName := opts.IfName
	if ifName == "" {
		ifName = st.freeIfName(nsPath)
	} else if err := st.checkIfName(nsPath, ifName); err != nil {
		return nil, err
	}
	return &endpointState{NsPath: nsPath, Address: addr, Address6: addr6, IfName: ifName,
		LinkLocal: opts.LinkLocal, GwPriority: opts.GwPriority}, nil
}

// checkIfName refuses an interface name the kernel would refuse, or that another
// endpoint of nsPath has.
func (st *state) checkIfName(nsPath, name string) error {
	if len(name) > 15 || name == "." || name == ".." || strings.ContainsAny(name, "/: \t\n\x00") {
		return fmt.Errorf("interface name %q: at most 15 bytes, without '/', ':' or spaces: %w", name, ErrInvalid)
	}
	for _, n := range st.Networks {
		if ep, ok := n.Endpoints[nsPath]; ok && ep.IfName == name {
			return fmt.Errorf("interface name %q is already used on network %q: %w", name, n.Name, ErrExists)
		}
	}
	return nil
}

// releaseEndpoint removes what a failed attach made of ep, then its record (when it is
// still ep's: the same address and host interface).
func (d *Driver) releaseEndpoint(network string, ep *endpointState) error {
	return d.withState(true, func(st *state) error {
		if err := removeLink(ep.HostIf); err != nil {
			return err
		}
		if n, ok := st.Networks[network]; ok {
			if cur, ok := n.Endpoints[ep.NsPath]; ok && cur.HostIf == ep.HostIf && cur.Address == ep.Address {
				delete(n.Endpoints, ep.NsPath)
			}
		}
		return nil
	})
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
	out := &Endpoint{Key: EndpointKey(n.Name, ep.NsPath), IfName: ep.IfName,
		Address: netip.PrefixFrom(ep.Address, n.Subnet.Bits()), Gateway: n.Gateway}
	if ep.Address6.IsValid() {
		out.Address6, out.Gateway6 = netip.PrefixFrom(ep.Address6, n.Subnet6.Bits()), n.Gateway6
	}
	return out
}

// attachVeth makes ep's veth pair, configures the peer and points the default routes of
// its namespace as st (where ep is recorded) says.
func attachVeth(st *state, n *netState, ep *endpointState, mac net.HardwareAddr) error {
	return withNetnsHandle(ep.NsPath, func(nsh netns.NsHandle, in *netlink.Handle) error {
		return attachVethIn(st, n, ep, mac, nsh, in)
	})
}

// attachVethIn is attachVeth with ep's namespace open as nsh and in.
func attachVethIn(st *state, n *netState, ep *endpointState, mac net.HardwareAddr, nsh netns.NsHandle, in *netlink.Handle) error {
	br, err := netlink.LinkByName(n.Bridge)
	if err != nil {
		return fmt.Errorf("find bridge %q: %w", n.Bridge, err)
	}
	// One queue each way, asked for up front: a veth is made with one per CPU and then
	// cut down to one by the kernel, which waits out an RCU grace period per end.
	veth := &netlink.Veth{
		LinkAttrs: netlink.LinkAttrs{Name: ep.HostIf, MasterIndex: br.Attrs().Index, MTU: br.Attrs().MTU,
			NumTxQueues: 1, NumRxQueues: 1},
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
	if err := configurePeer(in, n, ep); err != nil {
		return err
	}
	// A new endpoint adds a candidate: there is no default route to remove.
	return st.routeDefaults(in, ep.NsPath, false)
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
	addrs := []*netlink.Addr{{IPNet: prefixIPNet(netip.PrefixFrom(ep.Address, n.Subnet.Bits()))}}
	if ep.Address6.IsValid() {
		// No duplicate address detection, as Docker: IPAM already made the address unique,
		// and DAD would leave it unusable for a second or more.
		addrs = append(addrs, &netlink.Addr{IPNet: prefixIPNet(netip.PrefixFrom(ep.Address6, n.Subnet6.Bits())), Flags: unix.IFA_F_NODAD})
	}
	for _, a := range ep.LinkLocal {
		addrs = append(addrs, &netlink.Addr{IPNet: prefixIPNet(netip.PrefixFrom(a, a.BitLen())), Flags: unix.IFA_F_NODAD})
	}
	for _, a := range addrs {
		if err := in.AddrAdd(peer, a); err != nil {
			return fmt.Errorf("address %s with %s: %w", ep.IfName, a.IPNet, err)
		}
	}
	if err := in.LinkSetUp(peer); err != nil {
		return fmt.Errorf("bring up %s: %w", ep.IfName, err)
	}
	if lo, err := in.LinkByName("lo"); err == nil && lo.Attrs().Flags&net.FlagUp == 0 {
		if err := in.LinkSetUp(lo); err != nil {
			return fmt.Errorf("bring up lo: %w", err)
		}
	}
	return nil
}

// Detach removes the endpoint of nsPath on network: its published ports, its veth and its
// address allocation. When that endpoint carried a default route of the namespace, the
// route moves to the network Attach would choose among the remaining ones. A missing
// endpoint or network is success.
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
		if st.attached(nsPath) {
			if err := withNetns(nsPath, func(in *netlink.Handle) error { return st.routeDefaults(in, nsPath, true) }); err != nil {
				return err
			}
		}
		if len(ep.Ports) == 0 {
			return nil
		}
		if err := d.syncRules(st); err != nil {
			return err
		}
		return clearStaleFlows(nil, ep.addrs(), false)
	})
	if err != nil {
		return fmt.Errorf("detach %s from network %q: %w", nsPath, network, err)
	}
	return nil
}

// addrs are the endpoint's IPv4 and IPv6 addresses.
func (ep *endpointState) addrs() []netip.Addr {
	if ep.Address6.IsValid() {
		return []netip.Addr{ep.Address, ep.Address6}
	}
	return []netip.Addr{ep.Address}
}

// attached reports whether nsPath has an endpoint on any network.
func (st *state) attached(nsPath string) bool {
	for _, n := range st.Networks {
		if _, ok := n.Endpoints[nsPath]; ok {
			return true
		}
	}
	return false
}
