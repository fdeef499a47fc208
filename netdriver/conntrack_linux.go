package netdriver

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Conntrack hazard: NAT is decided on a flow's first packet and then cached in its conntrack
// entry, and the host's entries outlive the rules, bridges and veths they came from. A UDP
// client that keeps its source port (syslog, metrics, DNS forwarders, a test's long-lived
// socket) keeps matching its entry, which is refreshed by every datagram: after the container
// behind a published port is replaced by one at another address, its datagrams still go to
// the old address and vanish, and after UnpublishPorts they still reach the old container.
// TCP mostly recovers, since a SYN on a closed entry makes the kernel start a new one, but
// entries of connections cut by a deleted namespace stay ESTABLISHED for days. Docker
// (moby/moby#8795, fixed by #44742) and CNI's portmap (containernetworking/plugins#123) hit
// the same problem and also delete entries when they publish and unpublish; like them, berth
// matches the host port (the original destination), never the container port.

// staleFlows matches the host's conntrack entries that berth's current rules would NAT
// differently: flows DNATed to an endpoint address whose published ports were removed
// (gone), and flows to a newly published host port on a host address (published), which were
// set up before the DNAT rule existed.
type staleFlows struct {
	gone      map[netip.Addr]bool
	published []PortMapping
	local     map[netip.Addr]bool
}

// MatchConntrackFlow implements netlink.CustomConntrackFilter.
func (f *staleFlows) MatchConntrackFlow(flow *netlink.ConntrackFlow) bool {
	origDst, replySrc := addrOf(flow.Forward.DstIP), addrOf(flow.Reverse.SrcIP)
	if f.gone[replySrc] && origDst != replySrc {
		return true
	}
	if !f.local[origDst] && !origDst.IsLoopback() {
		return false
	}
	proto := protoName(flow.Forward.Protocol)
	for _, pm := range f.published {
		inRange := flow.Forward.DstPort >= pm.HostPort && flow.Forward.DstPort <= pm.last()
		anyIP := !pm.HostIP.IsValid() || pm.HostIP.IsUnspecified()
		if pm.Protocol == proto && inRange && (anyIP || pm.HostIP == origDst) {
			return true
		}
	}
	return false
}

// addrOf converts ip, IPv4 as 4 bytes.
func addrOf(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}

func protoName(p uint8) string {
	switch p {
	case unix.IPPROTO_TCP:
		return "tcp"
	case unix.IPPROTO_UDP:
		return "udp"
	}
	return ""
}

// clearStaleFlows deletes the host's conntrack entries for the published mappings and for
// DNAT to the gone addresses (see staleFlows), of IPv4 and, when v6 is set or an address
// is IPv6, of IPv6. Call it after syncRules, so that a packet arriving in between is NATed
// by the new rules. It costs one dump of the conntrack table per family.
func clearStaleFlows(published []PortMapping, gone []netip.Addr, v6 bool) error {
	if len(published) == 0 && len(gone) == 0 {
		return nil
	}
	f := &staleFlows{gone: map[netip.Addr]bool{}, published: published, local: map[netip.Addr]bool{}}
	for _, a := range gone {
		f.gone[a] = true
		v6 = v6 || a.Is6()
	}
	if len(published) > 0 {
		addrs, err := netlink.AddrList(nil, netlink.FAMILY_ALL)
		if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
			return fmt.Errorf("list host addresses: %w", err)
		}
		for _, a := range addrs {
			f.local[addrOf(a.IP)] = true
		}
	}
	families := []netlink.InetFamily{unix.AF_INET}
	if v6 {
		families = append(families, unix.AF_INET6)
	}
	for _, family := range families {
		var err error
		for i := 0; i < 3; i++ { // an interrupted dump may have missed entries: go again
			_, err = netlink.ConntrackDeleteFilters(netlink.ConntrackTable, family, f)
			if !errors.Is(err, netlink.ErrDumpInterrupted) {
				break
			}
		}
		if err != nil {
			return fmt.Errorf("delete stale conntrack entries: %w", err)
		}
	}
	return nil
}
