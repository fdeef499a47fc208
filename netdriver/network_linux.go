package netdriver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// CreateNetwork creates (or returns, when it already exists) the network name: a Linux bridge
// with a short stable name, the gateway address on it, and its nftables rules. A zero Subnet is
// allocated from the pools, skipping subnets routed on the host and those berth already uses.
// It is idempotent: calling it again for an existing name returns the recorded network and
// re-ensures the bridge and rules. Errors wrap ErrInvalid (bad subnet or gateway) or ErrExists
// (subnet overlaps another berth network, pools exhausted).
func (d *Driver) CreateNetwork(ctx context.Context, name string, opts NetworkOptions) (*Network, error) {
	if name == "" {
		return nil, fmt.Errorf("create network: empty name: %w", ErrInvalid)
	}
	var out *Network
	err := d.withState(true, func(st *state) error {
		n, ok := st.Networks[name]
		if !ok {
			var err error
			if n, err = d.planNetwork(st, name, opts); err != nil {
				return err
			}
			st.Networks[name] = n
			if err := d.record(st); err != nil {
				return err
			}
		}
		if err := ensureBridge(n); err != nil {
			return err
		}
		if err := d.syncRules(st); err != nil {
			return err
		}
		if err := enableRouteLocalnet(n.Bridge); err != nil {
			return err
		}
		out = n.public()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create network %q: %w", name, err)
	}
	return out, nil
}

func (d *Driver) planNetwork(st *state, name string, opts NetworkOptions) (*netState, error) {
	subnet, gw, err := d.planSubnet(st, opts.Subnet, opts.Gateway, opts.IPRange, d.opts.Pools)
	if err != nil {
		return nil, err
	}
	n := &netState{Name: name, Bridge: st.bridgeNameFor(d.opts.NamePrefix, name), Subnet: subnet,
		Gateway: gw, IPRange: opts.IPRange.Masked(), Internal: opts.Internal, Labels: opts.Labels,
		Endpoints: map[string]*endpointState{}}
	if opts.IPv6 {
		if n.Subnet6, n.Gateway6, err = d.planSubnet(st, opts.Subnet6, opts.Gateway6, opts.IPRange6, nil); err != nil {
			return nil, err
		}
		n.IPRange6 = opts.IPRange6.Masked()
	}
	return n, nil
}

// planSubnet checks the requested subnet (the family of pools: IPv4 with pools, IPv6
// without), or allocates one, and its gateway and ip_range.
func (d *Driver) planSubnet(st *state, want netip.Prefix, gw netip.Addr, rng netip.Prefix, pools []netip.Prefix) (netip.Prefix, netip.Addr, error) {
	v4 := pools != nil
	subnet := want.Masked()
	if want.IsValid() {
		if v4 && (!subnet.Addr().Is4() || subnet.Bits() > 30) {
			return subnet, gw, fmt.Errorf("subnet %s: need an IPv4 prefix of /30 or larger: %w", want, ErrInvalid)
		}
		if !v4 && (!subnet.Addr().Is6() || subnet.Addr().Is4In6() || subnet.Bits() > 126) {
			return subnet, gw, fmt.Errorf("subnet %s: need an IPv6 prefix of /126 or larger: %w", want, ErrInvalid)
		}
		if overlapsAny(subnet, st.usedSubnets()) {
			return subnet, gw, fmt.Errorf("subnet %s overlaps another berth network: %w", subnet, ErrExists)
		}
	} else {
		routed, err := hostRoutes(v4)
		if err != nil {
			return subnet, gw, err
		}
		if v4 {
			subnet, err = pickSubnet(pools, st.usedSubnets(), routed)
		} else {
			subnet, err = pickSubnet6(d.opts.Pool6, st.usedSubnets(), routed)
		}
		if err != nil {
			return subnet, gw, err
		}
	}
	if !gw.IsValid() {
		gw = firstHost(subnet)
	}
	if !isHostAddr(subnet, gw) {
		return subnet, gw, fmt.Errorf("gateway %s is not a host address of %s: %w", gw, subnet, ErrInvalid)
	}
	if rng.IsValid() && (rng.Addr().Is4() != v4 || rng.Bits() < subnet.Bits() || !subnet.Contains(rng.Addr())) {
		return subnet, gw, fmt.Errorf("ip_range %s is not inside subnet %s: %w", rng, subnet, ErrInvalid)
	}
	return subnet, gw, nil
}

// hostRoutes lists the IPv4 (or IPv6) destinations routed on the host (main table), retrying
// a dump the kernel interrupted (see CNI's pkg/netlinksafe).
func hostRoutes(v4 bool) ([]netip.Prefix, error) {
	family := netlink.FAMILY_V6
	if v4 {
		family = netlink.FAMILY_V4
	}
	var routes []netlink.Route
	var err error
	for i := 0; i < 5; i++ {
		routes, err = netlink.RouteList(nil, family)
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("list host routes: %w", err)
	}
	var out []netip.Prefix
	for _, r := range routes {
		if r.Dst == nil {
			continue
		}
		ones, _ := r.Dst.Mask.Size()
		if a, ok := netip.AddrFromSlice(r.Dst.IP); ok {
			out = append(out, netip.PrefixFrom(a.Unmap(), ones))
		}
	}
	return out, nil
}

// ensureBridge creates n's bridge when missing, pins its MAC (pinBridgeMAC), puts the
// gateway on it and brings it up.
func ensureBridge(n *netState) error {
	link, err := netlink.LinkByName(n.Bridge)
	if err != nil {
		if !errors.As(err, new(netlink.LinkNotFoundError)) {
			return fmt.Errorf("find bridge %q: %w", n.Bridge, err)
		}
		br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: n.Bridge, TxQLen: -1}}
		if err := netlink.LinkAdd(br); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("create bridge %q: %w", n.Bridge, err)
		}
		if link, err = netlink.LinkByName(n.Bridge); err != nil {
			return fmt.Errorf("find bridge %q: %w", n.Bridge, err)
		}
	}
	if err := pinBridgeMAC(link); err != nil {
		return err
	}
	addr := &netlink.Addr{IPNet: prefixIPNet(netip.PrefixFrom(n.Gateway, n.Subnet.Bits()))}
	if err := netlink.AddrReplace(link, addr); err != nil {
		return fmt.Errorf("address bridge %q: %w", n.Bridge, err)
	}
	if n.Subnet6.IsValid() {
		if err := ipv6Sysctl(n.Bridge, "disable_ipv6", "0"); err != nil {
			return err
		}
		addr := &netlink.Addr{IPNet: prefixIPNet(netip.PrefixFrom(n.Gateway6, n.Subnet6.Bits())), Flags: unix.IFA_F_NODAD}
		if err := netlink.AddrReplace(link, addr); err != nil {
			return fmt.Errorf("address bridge %q: %w", n.Bridge, err)
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("bring up bridge %q: %w", n.Bridge, err)
	}
	return nil
}

// pinBridgeMAC makes the bridge's current MAC its own (the kernel's addr_assign_type
// NET_ADDR_SET), as Docker's bridge driver gives its bridges a MAC. A bridge without
// one takes the lowest MAC of its ports, the host ends of veths, which are random: a
// container attached with a lower one, or the removal of the port whose MAC the bridge
// had, changes the gateway's MAC. Containers that resolved the gateway before keep its
// old MAC in their ARP cache (REACHABLE for 15-45 s, then 5 s of DELAY and 3 unicast
// probes), and the host drops what they send to it as addressed to another host: their
// DNS queries went unanswered for up to a minute after an up ("Temporary failure in
// name resolution"). A bridge made before this was pinned is pinned the next time it
// is ensured, at the MAC it has then, so its containers see no change.
func pinBridgeMAC(link netlink.Link) error {
	name := link.Attrs().Name
	b, err := os.ReadFile("/sys/class/net/" + name + "/addr_assign_type")
	if err != nil {
		return fmt.Errorf("pin MAC of bridge %q: %w", name, err)
	}
	if strings.TrimSpace(string(b)) == addrAssignSet {
		return nil
	}
	if err := netlink.LinkSetHardwareAddr(link, link.Attrs().HardwareAddr); err != nil {
		return fmt.Errorf("pin MAC of bridge %q: %w", name, err)
	}
	return nil
}

// addrAssignSet is NET_ADDR_SET in /sys/class/net/*/addr_assign_type: a MAC given
// by user space, which a bridge keeps whatever ports it gains or loses.
const addrAssignSet = "3"

// enableRouteLocalnet sets route_localnet on bridge, so that the host's connections to ports
// published on 127.0.0.1, DNATed to a container, can leave through it with their 127.0.0.1
// source (nat_post masquerades it after routing). The setting alone would also let containers
// reach the host's 127.0.0.0/8 through the gateway (CVE-2020-8558): call it only once
// syncRules has written the raw chain's guard for the bridge (ruleBuilder.loopbackGuard).
func enableRouteLocalnet(bridge string) error {
	sysctl := "/proc/sys/net/ipv4/conf/" + bridge + "/route_localnet"
	if err := os.WriteFile(sysctl, []byte("1"), 0o644); err != nil {
		return fmt.Errorf("set route_localnet on %q: %w", bridge, err)
	}
	return nil
}

// ipv6Sysctl sets net.ipv6.conf.<iface>.<key> on the host.
func ipv6Sysctl(iface, key, value string) error {
	if err := os.WriteFile("/proc/sys/net/ipv6/conf/"+iface+"/"+key, []byte(value), 0o644); err != nil {
		return fmt.Errorf("set %s on %q: %w", key, iface, err)
	}
	return nil
}

// removeLink deletes the named link; a missing link is success.
func removeLink(name string) error {
	link, err := netlink.LinkByName(name)
	if errors.As(err, new(netlink.LinkNotFoundError)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find link %q: %w", name, err)
	}
	if err := netlink.LinkDel(link); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete link %q: %w", name, err)
	}
	return nil
}

// DeleteNetwork removes the network's bridge (and with it the host ends of its veths), its
// nftables rules and its allocations. Deleting a missing network succeeds.
func (d *Driver) DeleteNetwork(ctx context.Context, name string) error {
	err := d.withState(true, func(st *state) error {
		n, ok := st.Networks[name]
		if !ok {
			return nil
		}
		var published []netip.Addr
		for _, ep := range n.Endpoints {
			if err := removeLink(ep.HostIf); err != nil {
				return err
			}
			if len(ep.Ports) > 0 {
				published = append(published, ep.addrs()...)
			}
		}
		delete(st.Networks, name)
		if err := removeBridgeAndSync(n.Bridge, func() error { return d.syncRules(st) }); err != nil {
			if linkExists(n.Bridge) {
				st.Networks[name] = n // still there: kept on record, so a retry or Sweep finds it
			}
			return err
		}
		return clearStaleFlows(nil, published, false)
	})
	if err != nil {
		return fmt.Errorf("delete network %q: %w", name, err)
	}
	return nil
}

// removeBridgeAndSync deletes bridge while sync (the rule sync without it) runs: the
// kernel's deletion of a bridge waits out RCU grace periods (tens of milliseconds, on
// the critical path of every down) and needs nothing of the rules, nor they of it, so
// the two overlap. Both errors are returned.
func removeBridgeAndSync(bridge string, sync func() error) error {
	removed := make(chan error, 1)
	go func() { removed <- removeLink(bridge) }()
	synced := sync()
	return errors.Join(<-removed, synced)
}

// linkExists reports whether the named link exists, or may (the lookup failed otherwise).
func linkExists(name string) bool {
	_, err := netlink.LinkByName(name)
	return !errors.As(err, new(netlink.LinkNotFoundError))
}

// prefixIPNet converts p (address with prefix length) for netlink's net-typed API.
func prefixIPNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// Networks lists the recorded networks, sorted by name: an orchestrator whose own
// records are lost finds its networks by their labels.
func (d *Driver) Networks() ([]Network, error) {
	var out []Network
	err := d.withState(false, func(st *state) error {
		for _, n := range sortedNetworks(st) {
			out = append(out, *n.public())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	return out, nil
}
