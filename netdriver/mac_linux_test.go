package netdriver

import (
	"context"
	"net"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// TestAttachMACFollowsAddress: a container's interface gets the MAC derived from its
// address, so a namespace attached again with the address of a detached one (a
// recreated container) has the same MAC and its peers' ARP caches stay valid; an
// explicit MAC (mac_address) wins.
func TestAttachMACFollowsAddress(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	suffix := randHex(t, 3)
	n, err := d.CreateNetwork(ctx, "btn-mac-"+suffix, NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork = %v", err)
	}
	var macs []string
	for i, c := range []string{"m1", "m2"} {
		ns, err := d.CreateNetns("btn" + c + suffix)
		if err != nil {
			t.Fatalf("CreateNetns = %v", err)
		}
		ep, err := d.Attach(ctx, ns, n.Name, AttachOptions{IPv4: n.Subnet.Addr().Next().Next()})
		if err != nil {
			t.Fatalf("Attach(%s) = %v", c, err)
		}
		mac := peerMAC(t, ns, ep.IfName)
		if want := MACFor(ep.Address.Addr()).String(); mac != want {
			t.Errorf("Attach(%s) MAC = %s, want %s", c, mac, want)
		}
		macs = append(macs, mac)
		if i == 0 {
			if err := d.Detach(ctx, ns, n.Name); err != nil {
				t.Fatalf("Detach = %v", err)
			}
		}
	}
	if macs[0] != macs[1] {
		t.Errorf("the same address got MACs %s and %s", macs[0], macs[1])
	}
	ns, err := d.CreateNetns("btnm3" + suffix)
	if err != nil {
		t.Fatalf("CreateNetns = %v", err)
	}
	own := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x33}
	ep, err := d.Attach(ctx, ns, n.Name, AttachOptions{MAC: own})
	if err != nil {
		t.Fatalf("Attach(own MAC) = %v", err)
	}
	if mac := peerMAC(t, ns, ep.IfName); mac != own.String() {
		t.Errorf("Attach with MAC %s gave %s", own, mac)
	}
}

func peerMAC(t *testing.T, nsPath, ifName string) string {
	t.Helper()
	h, err := netns.GetFromPath(nsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	nl, err := netlink.NewHandleAt(h)
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	l, err := nl.LinkByName(ifName)
	if err != nil {
		t.Fatal(err)
	}
	return l.Attrs().HardwareAddr.String()
}
