package apply

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/netdriver"
	"github.com/berth-dev/berth/project/internal/state"
	"github.com/google/go-cmp/cmp"
)

func TestAttachOptions(t *testing.T) {
	mac := func(s string) net.HardwareAddr { m, _ := net.ParseMAC(s); return m }
	tests := []struct {
		name    string
		svc     compose.ServiceConfig
		primary bool
		want    netdriver.AttachOptions
		wantErr error
	}{
		{name: "none", svc: compose.ServiceConfig{Name: "web"}},
		{name: "all keys", svc: compose.ServiceConfig{Name: "web", Networks: map[string]*compose.ServiceNetworkConfig{
			"front": {Ipv4Address: "10.1.0.5", Ipv6Address: "fd00::5", MacAddress: "02:00:00:00:00:05",
				InterfaceName: "front0", LinkLocalIPs: []string{"169.254.1.1", "fe80::1"}, GatewayPriority: 3}}},
			want: netdriver.AttachOptions{IPv4: netip.MustParseAddr("10.1.0.5"), IPv6: netip.MustParseAddr("fd00::5"),
				MAC: mac("02:00:00:00:00:05"), IfName: "front0", GwPriority: 3,
				LinkLocal: []netip.Addr{netip.MustParseAddr("169.254.1.1"), netip.MustParseAddr("fe80::1")}}},
		{name: "service mac on the primary network", primary: true,
			svc:  compose.ServiceConfig{Name: "web", MacAddress: "02:00:00:00:00:07"},
			want: netdriver.AttachOptions{MAC: mac("02:00:00:00:00:07")}},
		{name: "service mac not on others", svc: compose.ServiceConfig{Name: "web", MacAddress: "02:00:00:00:00:07"}},
		{name: "service mac differs from the network's", primary: true, wantErr: state.ErrInvalid,
			svc: compose.ServiceConfig{Name: "web", MacAddress: "02:00:00:00:00:07", Networks: map[string]*compose.ServiceNetworkConfig{
				"front": {MacAddress: "02:00:00:00:00:08"}}}},
		{name: "bad mac", wantErr: state.ErrInvalid, svc: compose.ServiceConfig{Name: "web", Networks: map[string]*compose.ServiceNetworkConfig{
			"front": {MacAddress: "02:00"}}}},
		{name: "ipv6 address in ipv4_address", wantErr: state.ErrInvalid, svc: compose.ServiceConfig{Name: "web",
			Networks: map[string]*compose.ServiceNetworkConfig{"front": {Ipv4Address: "fd00::5"}}}},
		{name: "bad link-local", wantErr: state.ErrInvalid, svc: compose.ServiceConfig{Name: "web",
			Networks: map[string]*compose.ServiceNetworkConfig{"front": {LinkLocalIPs: []string{"x"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AttachOptions(tt.svc, "front", tt.primary)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("AttachOptions() error = %v, want %v", err, tt.wantErr)
			}
			if err == nil {
				if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
					t.Errorf("AttachOptions() diff (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestNetworkOptions(t *testing.T) {
	yes := true
	pfx, addr := netip.MustParsePrefix, netip.MustParseAddr
	tests := []struct {
		name    string
		cn      compose.NetworkConfig
		want    netdriver.NetworkOptions
		wantErr error
	}{
		{name: "default"},
		{name: "internal", cn: compose.NetworkConfig{Internal: true}, want: netdriver.NetworkOptions{Internal: true}},
		{name: "ipv4 with ip_range", cn: compose.NetworkConfig{Ipam: compose.IPAMConfig{Config: []*compose.IPAMPool{
			{Subnet: "10.5.0.0/24", Gateway: "10.5.0.254", IPRange: "10.5.0.128/25"}}}},
			want: netdriver.NetworkOptions{Subnet: pfx("10.5.0.0/24"), Gateway: addr("10.5.0.254"), IPRange: pfx("10.5.0.128/25")}},
		{name: "dual stack", cn: compose.NetworkConfig{EnableIPv6: &yes, Ipam: compose.IPAMConfig{Config: []*compose.IPAMPool{
			{Subnet: "fd00:1::/64", IPRange: "fd00:1::100/120"}, {Subnet: "10.5.0.0/24"}}}},
			want: netdriver.NetworkOptions{IPv6: true, Subnet: pfx("10.5.0.0/24"), Subnet6: pfx("fd00:1::/64"), IPRange6: pfx("fd00:1::100/120")}},
		{name: "dual stack from the pools", cn: compose.NetworkConfig{EnableIPv6: &yes}, want: netdriver.NetworkOptions{IPv6: true}},
		{name: "ipv6 subnet without enable_ipv6", cn: compose.NetworkConfig{Ipam: compose.IPAMConfig{Config: []*compose.IPAMPool{
			{Subnet: "fd00:1::/64"}}}}},
		{name: "bad ip_range", wantErr: state.ErrInvalid, cn: compose.NetworkConfig{Ipam: compose.IPAMConfig{Config: []*compose.IPAMPool{
			{Subnet: "10.5.0.0/24", IPRange: "10.5.0.300/25"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NetworkOptions("front", tt.cn)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("NetworkOptions() error = %v, want %v", err, tt.wantErr)
			}
			if err == nil {
				if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
					cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
					t.Errorf("NetworkOptions() diff (-want +got):\n%s", diff)
				}
			}
		})
	}
}
