package netdriver

import (
	"net"
	"net/netip"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

func TestStaleFlowsMatch(t *testing.T) {
	f := &staleFlows{
		gone: map[netip.Addr]bool{netip.MustParseAddr("10.231.0.2"): true},
		published: []PortMapping{
			{HostPort: 5000, Protocol: "udp"},
			{HostIP: netip.MustParseAddr("192.0.2.2"), HostPort: 6000, HostPortEnd: 6002, Protocol: "tcp"},
		},
		local: map[netip.Addr]bool{netip.MustParseAddr("192.0.2.2"): true, netip.MustParseAddr("10.232.250.1"): true},
	}
	flow := func(proto uint8, origDst string, dport uint16, replySrc string) *netlink.ConntrackFlow {
		return &netlink.ConntrackFlow{
			Forward: netlink.IPTuple{Protocol: proto, SrcIP: net.ParseIP("10.232.250.2"), DstIP: net.ParseIP(origDst), DstPort: dport},
			Reverse: netlink.IPTuple{Protocol: proto, SrcIP: net.ParseIP(replySrc)},
		}
	}
	tests := []struct {
		name string
		flow *netlink.ConntrackFlow
		want bool
	}{
		{"DNATed to a gone endpoint", flow(unix.IPPROTO_UDP, "10.232.250.1", 4000, "10.231.0.2"), true},
		{"sent by a gone endpoint itself", flow(unix.IPPROTO_TCP, "10.231.0.2", 80, "10.231.0.2"), false},
		{"udp to a new port on a host address", flow(unix.IPPROTO_UDP, "10.232.250.1", 5000, "10.232.250.1"), true},
		{"udp to a new port on loopback", flow(unix.IPPROTO_UDP, "127.0.0.1", 5000, "127.0.0.1"), true},
		{"tcp to a new udp port", flow(unix.IPPROTO_TCP, "10.232.250.1", 5000, "10.232.250.1"), false},
		{"new port on a remote address", flow(unix.IPPROTO_UDP, "198.51.100.7", 5000, "198.51.100.7"), false},
		{"range on its host IP", flow(unix.IPPROTO_TCP, "192.0.2.2", 6001, "10.231.0.9"), true},
		{"range on another host address", flow(unix.IPPROTO_TCP, "10.232.250.1", 6001, "10.232.250.1"), false},
		{"past the range", flow(unix.IPPROTO_TCP, "192.0.2.2", 6003, "192.0.2.2"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.MatchConntrackFlow(tc.flow); got != tc.want {
				t.Errorf("MatchConntrackFlow(%v) = %v, want %v", tc.flow, got, tc.want)
			}
		})
	}
}
