package netdriver

import (
	"net/netip"
	"testing"

	"github.com/berth-dev/berth/netdriver/portproxy"
	"github.com/google/go-cmp/cmp"
)

func route(proto, listen, target string) portproxy.Route {
	return portproxy.Route{Protocol: proto, Listen: netip.MustParseAddrPort(listen), Target: netip.MustParseAddrPort(target)}
}

// TestProxyRoutes is ProxyRoutes' table, row by row.
func TestProxyRoutes(t *testing.T) {
	v4, v6 := netip.MustParseAddr("10.1.0.2"), netip.MustParseAddr("fd00::2")
	a := netip.MustParseAddr
	tests := []struct {
		name   string
		addr6  netip.Addr
		pm     PortMapping
		routes []portproxy.Route
	}{
		{"every address, dual-stack", v6, PortMapping{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
			[]portproxy.Route{route("tcp", "[::1]:8080", "[fd00::2]:80")}},
		{"every address, IPv4 only", netip.Addr{}, PortMapping{HostPort: 8080, ContainerPort: 80, Protocol: "udp"},
			[]portproxy.Route{route("udp", "[::]:8080", "10.1.0.2:80")}},
		{":: dual-stack", v6, PortMapping{HostIP: a("::"), HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
			[]portproxy.Route{route("tcp", "[::1]:8080", "[fd00::2]:80")}},
		{":: IPv4 only", netip.Addr{}, PortMapping{HostIP: a("::"), HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
			[]portproxy.Route{route("tcp", "[::]:8080", "10.1.0.2:80")}},
		{"::1 dual-stack", v6, PortMapping{HostIP: a("::1"), HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
			[]portproxy.Route{route("tcp", "[::1]:8080", "[fd00::2]:80")}},
		{"::1 IPv4 only", netip.Addr{}, PortMapping{HostIP: a("::1"), HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
			[]portproxy.Route{route("tcp", "[::1]:8080", "10.1.0.2:80")}},
		{"IPv6 address, dual-stack: DNAT", v6, PortMapping{HostIP: a("2001:db8::1"), HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}, nil},
		{"IPv6 address, IPv4 only", netip.Addr{}, PortMapping{HostIP: a("2001:db8::1"), HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
			[]portproxy.Route{route("tcp", "[2001:db8::1]:8080", "10.1.0.2:80")}},
		{"0.0.0.0: DNAT", netip.Addr{}, PortMapping{HostIP: a("0.0.0.0"), HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}, nil},
		{"127.0.0.1: DNAT", v6, PortMapping{HostIP: a("127.0.0.1"), HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}, nil},
		{"range", netip.Addr{}, PortMapping{HostPort: 9000, HostPortEnd: 9001, ContainerPort: 90, Protocol: "tcp"},
			[]portproxy.Route{route("tcp", "[::]:9000", "10.1.0.2:90"), route("tcp", "[::]:9001", "10.1.0.2:91")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := proxyRoutes(v4, tt.addr6, tt.pm)
			if diff := cmp.Diff(tt.routes, got, cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })); diff != "" {
				t.Errorf("proxyRoutes(%v, %v, %+v) (-want +got):\n%s", v4, tt.addr6, tt.pm, diff)
			}
		})
	}
}
