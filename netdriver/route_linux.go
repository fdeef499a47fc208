package netdriver

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// withNetns runs fn with a netlink handle inside the namespace at nsPath.
func withNetns(nsPath string, fn func(in *netlink.Handle) error) error {
	return withNetnsHandle(nsPath, func(_ netns.NsHandle, in *netlink.Handle) error { return fn(in) })
}

// withNetnsHandle is withNetns that also gives fn the namespace's handle.
func withNetnsHandle(nsPath string, fn func(nsh netns.NsHandle, in *netlink.Handle) error) error {
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
	return fn(nsh, in)
}

// gatewayFor is the endpoint of nsPath whose network gives the default route of the
// family (v4 or v6), and that network; nil when none has a gateway of that family.
// Docker's order (libnetwork's Endpoint.Less, then getGatewayEndpoint): internal
// networks have no gateway; the highest gw_priority, then a dual-stack network, then the
// lowest network name.
func (st *state) gatewayFor(nsPath string, v4 bool) (*endpointState, *netState) {
	var best *endpointState
	var bestNet *netState
	for _, n := range sortedNetworks(st) {
		ep, ok := n.Endpoints[nsPath]
		if !ok || n.Internal || (!v4 && !n.Subnet6.IsValid()) {
			continue
		}
		if best == nil || ep.GwPriority > best.GwPriority ||
			(ep.GwPriority == best.GwPriority && n.Subnet6.IsValid() && !bestNet.Subnet6.IsValid()) {
			best, bestNet = ep, n
		}
	}
	return best, bestNet
}

// routeDefaults points the namespace's default route of each family at the gateway
// gatewayFor chooses, or with removeStale removes it when there is none.
func (st *state) routeDefaults(in *netlink.Handle, nsPath string, removeStale bool) error {
	for _, v4 := range []bool{true, false} {
		family, dst := netlink.FAMILY_V6, netip.MustParsePrefix("::/0")
		if v4 {
			family, dst = netlink.FAMILY_V4, netip.MustParsePrefix("0.0.0.0/0")
		}
		ep, n := st.gatewayFor(nsPath, v4)
		if ep == nil {
			if removeStale {
				if err := removeDefaultRoutes(in, family); err != nil {
					return err
				}
			}
			continue
		}
		gw := n.Gateway
		if !v4 {
			gw = n.Gateway6
		}
		peer, err := in.LinkByName(ep.IfName)
		if err != nil {
			return fmt.Errorf("find %s in netns: %w", ep.IfName, err)
		}
		route := &netlink.Route{LinkIndex: peer.Attrs().Index, Dst: prefixIPNet(dst), Gw: gw.AsSlice()}
		if err := in.RouteReplace(route); err != nil {
			return fmt.Errorf("default route via %s: %w", gw, err)
		}
	}
	return nil
}

// removeDefaultRoutes deletes the default routes of family in the main table.
func removeDefaultRoutes(in *netlink.Handle, family int) error {
	routes, err := in.RouteListFiltered(family, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return fmt.Errorf("list routes in netns: %w", err)
	}
	for _, r := range routes {
		if r.Dst != nil && !isZeroMask(r.Dst.Mask) {
			continue
		}
		if err := in.RouteDel(&r); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("remove default route: %w", err)
		}
	}
	return nil
}

func isZeroMask(m net.IPMask) bool {
	ones, _ := m.Size()
	return ones == 0
}
