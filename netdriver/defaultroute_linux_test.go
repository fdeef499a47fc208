package netdriver

import (
	"context"
	"net/netip"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// netlinkIn returns a netlink handle inside the namespace at nsPath (the caller closes it).
func netlinkIn(t *testing.T, nsPath string) *netlink.Handle {
	t.Helper()
	nsh, err := netns.GetFromPath(nsPath)
	if err != nil {
		t.Fatalf("netns.GetFromPath(%q) = %v", nsPath, err)
	}
	defer nsh.Close()
	in, err := netlink.NewHandleAt(nsh)
	if err != nil {
		t.Fatalf("netlink.NewHandleAt(%q) = %v", nsPath, err)
	}
	return in
}

// defaultGateway returns the gateway and interface of the default route in the namespace at
// nsPath, or a zero address when it has none.
func defaultGateway(t *testing.T, nsPath string) (netip.Addr, string) {
	t.Helper()
	in := netlinkIn(t, nsPath)
	defer in.Close()
	routes, err := in.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		t.Fatalf("RouteList in %s = %v", nsPath, err)
	}
	for _, r := range routes {
		if r.Dst != nil && !isZeroMask(r.Dst.Mask) {
			continue
		}
		gw, _ := netip.AddrFromSlice(r.Gw.To4())
		link, err := in.LinkByIndex(r.LinkIndex)
		if err != nil {
			t.Fatalf("LinkByIndex(%d) in %s = %v", r.LinkIndex, nsPath, err)
		}
		return gw, link.Attrs().Name
	}
	return netip.Addr{}, ""
}

// TestDefaultRouteHandover attaches a namespace to networks a (first: default route, eth0)
// and b (eth1), detaches one of them, and checks where the default route points afterwards.
func TestDefaultRouteHandover(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	suffix := randHex(t, 3)
	netA, err := d.CreateNetwork(ctx, "btn-dra-"+suffix, NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork(a) = %v", err)
	}
	netB, err := d.CreateNetwork(ctx, "btn-drb-"+suffix, NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork(b) = %v", err)
	}
	tests := []struct {
		name   string
		detach *Network
		wantGw netip.Addr
		wantIf string
	}{
		{"detach the default network", netA, netB.Gateway, "eth1"},
		{"detach the other network", netB, netA.Gateway, "eth0"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, err := d.CreateNetns("btndr" + suffix + string(rune('a'+i)))
			if err != nil {
				t.Fatalf("CreateNetns() = %v", err)
			}
			for _, n := range []*Network{netA, netB} {
				if _, err := d.Attach(ctx, path, n.Name, AttachOptions{}); err != nil {
					t.Fatalf("Attach(%s) = %v", n.Name, err)
				}
			}
			if gw, ifName := defaultGateway(t, path); gw != netA.Gateway || ifName != "eth0" {
				t.Fatalf("default route before Detach = %s dev %s, want %s dev eth0", gw, ifName, netA.Gateway)
			}
			if err := d.Detach(ctx, path, tc.detach.Name); err != nil {
				t.Fatalf("Detach(%s) = %v", tc.detach.Name, err)
			}
			if gw, ifName := defaultGateway(t, path); gw != tc.wantGw || ifName != tc.wantIf {
				t.Errorf("default route after Detach(%s) = %s dev %s, want %s dev %s",
					tc.detach.Name, gw, ifName, tc.wantGw, tc.wantIf)
			}
		})
	}
}
