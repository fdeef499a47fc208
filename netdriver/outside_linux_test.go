package netdriver

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// linkOutside stands in for another machine on the host's LAN: a veth btnx<rand> whose peer
// is eth0 in the namespace at nsPath, on a random /30 of 10.232.250.0/24. It returns the host's
// address on that link; the veth is removed at cleanup, and the test fails if it is left.
func linkOutside(t *testing.T, nsPath string) netip.Addr {
	t.Helper()
	base := freeLinkSubnet(t)
	hostAddr, peerAddr := base.Next(), base.Next().Next()
	name := "btnx" + randHex(t, 4)
	nsh, err := netns.GetFromPath(nsPath)
	if err != nil {
		t.Fatalf("netns.GetFromPath(%q) = %v", nsPath, err)
	}
	defer nsh.Close()
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name}, PeerName: "eth0",
		PeerNamespace: netlink.NsFd(int(nsh))}
	if err := netlink.LinkAdd(veth); err != nil {
		t.Fatalf("add veth %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := removeLink(name); err != nil {
			t.Errorf("remove veth %s: %v", name, err)
		}
		if _, err := netlink.LinkByName(name); err == nil {
			t.Errorf("veth %s left after cleanup", name)
		}
	})
	host, err := netlink.LinkByName(name)
	if err != nil {
		t.Fatalf("find veth %s: %v", name, err)
	}
	if err := netlink.AddrAdd(host, &netlink.Addr{IPNet: prefixIPNet(netip.PrefixFrom(hostAddr, 30))}); err != nil {
		t.Fatalf("address %s: %v", name, err)
	}
	if err := netlink.LinkSetUp(host); err != nil {
		t.Fatalf("up %s: %v", name, err)
	}
	in, err := netlink.NewHandleAt(nsh)
	if err != nil {
		t.Fatalf("netlink.NewHandleAt(%s) = %v", nsPath, err)
	}
	defer in.Close()
	peer, err := in.LinkByName("eth0")
	if err != nil {
		t.Fatalf("find eth0 in %s: %v", nsPath, err)
	}
	if err := in.AddrAdd(peer, &netlink.Addr{IPNet: prefixIPNet(netip.PrefixFrom(peerAddr, 30))}); err != nil {
		t.Fatalf("address eth0 in %s: %v", nsPath, err)
	}
	if err := in.LinkSetUp(peer); err != nil {
		t.Fatalf("up eth0 in %s: %v", nsPath, err)
	}
	route := &netlink.Route{LinkIndex: peer.Attrs().Index, Gw: hostAddr.AsSlice()}
	if err := in.RouteAdd(route); err != nil && !errors.Is(err, unix.EEXIST) {
		t.Fatalf("default route in %s: %v", nsPath, err)
	}
	waitOperUp(t, netlink.LinkByName, name)
	waitOperUp(t, in.LinkByName, "eth0")
	return hostAddr
}

// waitOperUp waits until the named link is operationally up. A new veth drops what it sends
// until the kernel's linkwatch work has run (it attaches the real qdisc and sets operstate);
// a first ARP request lost that way delays the first packet by the ARP retry time, 1 s, which
// is as long as the dial timeouts of these tests.
func waitOperUp(t *testing.T, byName func(string) (netlink.Link, error), name string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		l, err := byName(name)
		if err != nil {
			t.Fatalf("find %s: %v", name, err)
		}
		if l.Attrs().OperState == netlink.OperUp {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("link %s is %s after 3s, want up", name, l.Attrs().OperState)
		}
		time.Sleep(time.Millisecond)
	}
}

// freeLinkSubnet picks a random /30 of 10.232.250.0/24 that no host route covers (another
// test's link), and returns its network address.
func freeLinkSubnet(t *testing.T) netip.Addr {
	t.Helper()
	routed, err := hostRoutes(true)
	if err != nil {
		t.Fatalf("hostRoutes(true) = %v", err)
	}
	b := make([]byte, 1)
	for i := 0; i < 100; i++ {
		rand.Read(b)
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 232, 250, b[0] &^ 3}), 30)
		if !overlapsAny(p, routed) {
			return p.Addr()
		}
	}
	t.Fatalf("no free /30 in 10.232.250.0/24")
	return netip.Addr{}
}

// TestPublishedFromOutside connects from a namespace linked to the host by its own veth, as
// another machine on the LAN would, to the host's address on that link at published TCP and
// UDP ports; the container is not reachable there directly.
func TestPublishedFromOutside(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	suffix := randHex(t, 3)
	n, err := d.CreateNetwork(ctx, "btn-out-"+suffix, NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork() = %v", err)
	}
	ctr, err := d.CreateNetns("btnctr" + suffix)
	if err != nil {
		t.Fatalf("CreateNetns(ctr) = %v", err)
	}
	outside, err := d.CreateNetns("btnext" + suffix)
	if err != nil {
		t.Fatalf("CreateNetns(outside) = %v", err)
	}
	ep, err := d.Attach(ctx, ctr, n.Name, AttachOptions{})
	if err != nil {
		t.Fatalf("Attach(ctr) = %v", err)
	}
	hostAddr := linkOutside(t, outside)
	echoTCP(t, ctr, "8080")
	echoUDP(t, ctr, "5353")
	pub, err := d.PublishPorts(ctx, ep.Key, []PortMapping{
		{ContainerPort: 8080, Protocol: "tcp"}, {ContainerPort: 5353, Protocol: "udp"},
		{HostIP: hostAddr, ContainerPort: 8080, Protocol: "tcp"}})
	if err != nil || len(pub) != 3 {
		t.Fatalf("PublishPorts() = %+v, %v, want three mappings", pub, err)
	}
	tests := []struct {
		name, network string
		port          uint16
	}{
		{"tcp", "tcp4", pub[0].HostPort},
		{"udp", "udp4", pub[1].HostPort},
		{"tcp on the link address", "tcp4", pub[2].HostPort},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := net.JoinHostPort(hostAddr.String(), strconv.Itoa(int(tc.port)))
			if got, err := roundTrip(t, outside, tc.network, addr); err != nil || got != "hello" {
				t.Errorf("%s %s from outside = %q, %v, want hello", tc.network, addr, got, err)
			}
		})
	}
	t.Run("direct blocked", func(t *testing.T) {
		addr := net.JoinHostPort(ep.Address.Addr().String(), "8080")
		if got, err := roundTrip(t, outside, "tcp4", addr); err == nil {
			t.Errorf("tcp4 %s from outside = %q, want dropped (only published ports are reachable)", addr, got)
		}
	})
}

// TestUDPClientKeepsSourcePort keeps one UDP client socket outside, as a long-lived client
// (syslog, metrics, a DNS forwarder) would, across the life of a published port: sent to
// before the port is published, published to one container, replaced by a container at
// another address, unpublished. Each step must follow the current rules, not the conntrack
// entry an earlier step left for the same tuple.
func TestUDPClientKeepsSourcePort(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	suffix := randHex(t, 3)
	n, err := d.CreateNetwork(ctx, "btn-rep-"+suffix, NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork() = %v", err)
	}
	outside, err := d.CreateNetns("btnext" + suffix)
	if err != nil {
		t.Fatalf("CreateNetns(outside) = %v", err)
	}
	hostAddr := linkOutside(t, outside)
	var client net.PacketConn
	inNetns(t, outside, func() { client, err = net.ListenPacket("udp4", ":0") })
	if err != nil {
		t.Fatalf("listen udp outside: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	hostPort, err := freeHostPort("udp")
	if err != nil {
		t.Fatalf("freeHostPort() = %v", err)
	}
	to := &net.UDPAddr{IP: hostAddr.AsSlice(), Port: int(hostPort)}
	if got, err := udpExchange(client, to, 300*time.Millisecond); err == nil {
		t.Fatalf("udp %s before publishing = %q, want no answer", to, got)
	}

	var last *Endpoint
	var lastNs string
	for i, static := range []netip.Addr{{}, n.Subnet.Addr().Next().Next().Next().Next().Next().Next().Next().Next().Next()} {
		if last != nil {
			if err := d.Detach(ctx, lastNs, n.Name); err != nil {
				t.Fatalf("Detach(ctr %d) = %v", i-1, err)
			}
		}
		ctr, err := d.CreateNetns("btnc" + strconv.Itoa(i) + suffix)
		if err != nil {
			t.Fatalf("CreateNetns(ctr %d) = %v", i, err)
		}
		if last, err = d.Attach(ctx, ctr, n.Name, AttachOptions{IPv4: static}); err != nil {
			t.Fatalf("Attach(ctr %d) = %v", i, err)
		}
		lastNs = ctr
		echoUDP(t, ctr, "5353")
		if _, err := d.PublishPorts(ctx, last.Key, []PortMapping{{HostPort: hostPort, ContainerPort: 5353, Protocol: "udp"}}); err != nil {
			t.Fatalf("PublishPorts(ctr %d, udp/%d) = %v", i, hostPort, err)
		}
		if got, err := udpExchange(client, to, time.Second); err != nil || got != "hello" {
			t.Errorf("udp %s to container %d at %s = %q, %v, want hello", to, i, last.Address.Addr(), got, err)
		}
	}
	if err := d.UnpublishPorts(ctx, last.Key); err != nil {
		t.Fatalf("UnpublishPorts() = %v", err)
	}
	if got, err := udpExchange(client, to, 300*time.Millisecond); err == nil {
		t.Errorf("udp %s after UnpublishPorts = %q, want no answer", to, got)
	}
}

// udpExchange sends one datagram from c to addr and returns the reply, waiting at most wait.
func udpExchange(c net.PacketConn, addr net.Addr, wait time.Duration) (string, error) {
	if err := c.SetDeadline(time.Now().Add(wait)); err != nil {
		return "", err
	}
	if _, err := c.WriteTo([]byte("hello"), addr); err != nil {
		return "", err
	}
	buf := make([]byte, 64)
	n, _, err := c.ReadFrom(buf)
	return string(buf[:n]), err
}
