package netdriver

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
)

// TestGatewayMACStaysPut: the gateway's MAC (the bridge's) does not change when ports
// come and go, so a container that resolved the gateway keeps reaching it. Without a
// MAC of its own a bridge takes the lowest of its ports': here an earlier container's
// veth (02:00:00:00:00:10) gave it its MAC, the client resolved the gateway to it, then
// a later veth with a lower MAC (02:00:00:00:00:01) moved the bridge's, and the host
// dropped the client's datagrams, still sent to 02:00:00:00:00:10, as addressed to
// another host (the DNS stall after `up` under load, issue 18).
func TestGatewayMACStaysPut(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	sfx := randHex(t, 3)
	n, err := d.CreateNetwork(ctx, "btn-gwmac-"+sfx, NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork = %v", err)
	}
	want := linkMAC(t, n.Bridge)
	checkMAC := func(when string) {
		t.Helper()
		if got := linkMAC(t, n.Bridge); got != want {
			t.Errorf("bridge MAC %s = %s, want %s as at creation", when, got, want)
		}
	}
	addPort(t, n.Bridge, "btnxa"+sfx, net.HardwareAddr{2, 0, 0, 0, 0, 0x10})
	checkMAC("after a port with a lower MAC joined")

	ns, err := d.CreateNetns("btngw" + sfx)
	if err != nil {
		t.Fatalf("CreateNetns = %v", err)
	}
	if _, err := d.Attach(ctx, ns, n.Name, AttachOptions{}); err != nil {
		t.Fatalf("Attach = %v", err)
	}
	gw := listenEchoUDP(t, n.Gateway)
	send := func(when string) {
		t.Helper()
		if got, err := roundTrip(t, ns, "udp", gw.String()); err != nil || got != "hello" {
			t.Errorf("datagram from the container to the gateway %s = %q, %v; want it echoed within 1 s", when, got, err)
		}
	}
	// The container resolves the gateway's MAC. Its port forwards once the kernel's
	// link watcher saw the veth's carrier, which may take a second: wait for that.
	for deadline := time.Now().Add(5 * time.Second); ; {
		got, err := roundTrip(t, ns, "udp", gw.String())
		if err == nil && got == "hello" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("datagram from the container to the gateway at first = %q, %v; want it echoed", got, err)
		}
	}

	addPort(t, n.Bridge, "btnxb"+sfx, net.HardwareAddr{2, 0, 0, 0, 0, 0x01})
	checkMAC("after a port with a still lower MAC joined")
	send("after a port with a still lower MAC joined")
	removePort(t, "btnxa"+sfx)
	checkMAC("after a port left")
	send("after a port left")
}

// TestBridgeMACPinnedWhenEnsured: a bridge made without a MAC of its own (by a berth
// before the gateway's MAC was pinned) gets its current MAC pinned by CreateNetwork,
// unchanged, so containers already using it notice nothing.
func TestBridgeMACPinnedWhenEnsured(t *testing.T) {
	d := newTestDriver(t)
	name := "btn-pin-" + randHex(t, 3)
	var bridge string
	d.withState(false, func(st *state) error {
		bridge = st.bridgeNameFor(d.opts.NamePrefix, name)
		return nil
	})
	if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: bridge}}); err != nil {
		t.Fatalf("add bridge %s: %v", bridge, err)
	}
	t.Cleanup(func() { removePort(t, bridge) }) // when CreateNetwork failed to adopt it
	if got := addrAssignType(t, bridge); got == addrAssignSet {
		t.Fatalf("a new bridge's addr_assign_type = %s, want a kernel-chosen one", got)
	}
	before := linkMAC(t, bridge)
	if _, err := d.CreateNetwork(context.Background(), name, NetworkOptions{}); err != nil {
		t.Fatalf("CreateNetwork = %v", err)
	}
	if got := addrAssignType(t, bridge); got != addrAssignSet {
		t.Errorf("addr_assign_type of %s after CreateNetwork = %s, want %s (set)", bridge, got, addrAssignSet)
	}
	if got := linkMAC(t, bridge); got != before {
		t.Errorf("MAC of %s after CreateNetwork = %s, want %s unchanged", bridge, got, before)
	}
}

func linkMAC(t *testing.T, name string) string {
	t.Helper()
	l, err := netlink.LinkByName(name)
	if err != nil {
		t.Fatalf("find %s: %v", name, err)
	}
	return l.Attrs().HardwareAddr.String()
}

func addrAssignType(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("/sys/class/net/" + name + "/addr_assign_type")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// addPort adds a veth pair whose end name, with MAC mac, joins bridge (down: it only
// stands for another container's port); the test's cleanup removes it.
func addPort(t *testing.T, bridge, name string, mac net.HardwareAddr) {
	t.Helper()
	br, err := netlink.LinkByName(bridge)
	if err != nil {
		t.Fatalf("find %s: %v", bridge, err)
	}
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name, HardwareAddr: mac, MasterIndex: br.Attrs().Index},
		PeerName: name + "p"}
	if err := netlink.LinkAdd(veth); err != nil {
		t.Fatalf("add veth %s: %v", name, err)
	}
	t.Cleanup(func() { removePort(t, name) })
}

func removePort(t *testing.T, name string) {
	t.Helper()
	if l, err := netlink.LinkByName(name); err == nil {
		if err := netlink.LinkDel(l); err != nil {
			t.Errorf("remove %s: %v", name, err)
		}
	}
}

// listenEchoUDP echoes datagrams on a free port of addr (in the host's namespace) until
// the test ends, and returns where it listens.
func listenEchoUDP(t *testing.T, addr netip.Addr) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, 0)))
	if err != nil {
		t.Fatalf("listen udp on %s: %v", addr, err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			pc.WriteToUDPAddrPort(buf[:n], from)
		}
	}()
	return pc.LocalAddr().(*net.UDPAddr).AddrPort()
}
