package netdriver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// addRoutedDummy puts a route for subnet on a dummy interface btn-dummy<rand>, removed at cleanup.
func addRoutedDummy(t *testing.T, subnet netip.Prefix) {
	t.Helper()
	name := "btn-dummy" + randHex(t, 2)
	err := netlink.LinkAdd(&netlink.Dummy{LinkAttrs: netlink.LinkAttrs{Name: name}})
	if errors.Is(err, unix.EOPNOTSUPP) {
		// Kernels without the dummy module: an empty bridge routes a subnet just as well.
		err = netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name}})
	}
	if err != nil {
		t.Fatalf("add dummy %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := removeLink(name); err != nil {
			t.Errorf("remove dummy %s: %v", name, err)
		}
	})
	link, err := netlink.LinkByName(name)
	if err != nil {
		t.Fatalf("find dummy %s: %v", name, err)
	}
	if err := netlink.LinkSetUp(link); err != nil {
		t.Fatalf("up dummy %s: %v", name, err)
	}
	if err := netlink.RouteAdd(&netlink.Route{LinkIndex: link.Attrs().Index, Dst: prefixIPNet(subnet)}); err != nil {
		t.Fatalf("route %s on %s: %v", subnet, name, err)
	}
}

func TestNetworks(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	addRoutedDummy(t, pfx("10.231.0.0/24"))
	suffix := randHex(t, 3)
	netA, err := d.CreateNetwork(ctx, "btn-a-"+suffix, NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork(a) = %v", err)
	}
	if netA.Subnet == pfx("10.231.0.0/24") {
		t.Fatalf("CreateNetwork(a) took the routed subnet %s", netA.Subnet)
	}
	again, err := d.CreateNetwork(ctx, netA.Name, NetworkOptions{})
	if err != nil || again.Bridge != netA.Bridge || again.Subnet != netA.Subnet {
		t.Fatalf("CreateNetwork(a) again = %+v, %v, want %+v", again, err, netA)
	}
	netB, err := d.CreateNetwork(ctx, "btn-b-"+suffix, NetworkOptions{Subnet: pfx("10.232.7.0/24")})
	if err != nil {
		t.Fatalf("CreateNetwork(b) = %v", err)
	}

	ns := map[string]string{}
	for _, c := range []string{"c1", "c2", "c3", "c4"} {
		if ns[c], err = d.CreateNetns("btn" + c + suffix); err != nil {
			t.Fatalf("CreateNetns(%s) = %v", c, err)
		}
	}
	ep1, err := d.Attach(ctx, ns["c1"], netA.Name, AttachOptions{})
	if err != nil {
		t.Fatalf("Attach(c1, a) = %v", err)
	}
	checkSingleQueue(t, ns["c1"], ep1.IfName)
	static := netA.Subnet.Addr().Next().Next().Next().Next().Next() // .5
	ep2, err := d.Attach(ctx, ns["c2"], netA.Name, AttachOptions{IPv4: static})
	if err != nil || ep2.Address.Addr() != static || ep2.IfName != "eth0" {
		t.Fatalf("Attach(c2, a, %s) = %+v, %v, want eth0 with the static address", static, ep2, err)
	}
	if _, err := d.Attach(ctx, ns["c4"], netA.Name, AttachOptions{IPv4: static}); !errors.Is(err, ErrExists) {
		t.Errorf("Attach(c4, a, %s) = %v, want ErrExists", static, err)
	}
	ep3, err := d.Attach(ctx, ns["c3"], netB.Name, AttachOptions{})
	if err != nil || ep3.Gateway != netip.MustParseAddr("10.232.7.1") {
		t.Fatalf("Attach(c3, b) = %+v, %v", ep3, err)
	}

	echoTCP(t, ns["c2"], "8080")
	echoTCP(t, ns["c1"], "8080")
	echoUDP(t, ns["c2"], "5353")
	c2Addr := net.JoinHostPort(ep2.Address.Addr().String(), "8080")
	t.Run("same network", func(t *testing.T) {
		if got, err := roundTrip(t, ns["c1"], "tcp4", c2Addr); err != nil || got != "hello" {
			t.Errorf("c1 → %s = %q, %v, want hello", c2Addr, got, err)
		}
		out, err := exec.Command("nsenter", "--net="+ns["c1"], "/bin/busybox", "ping", "-c1", "-W2",
			ep2.Address.Addr().String()).CombinedOutput()
		if err != nil {
			t.Errorf("ping c1 → c2: %v\n%s", err, out)
		}
	})
	t.Run("cross network blocked", func(t *testing.T) {
		if got, err := roundTrip(t, ns["c3"], "tcp4", c2Addr); err == nil {
			t.Errorf("c3 (network b) → %s = %q, want blocked", c2Addr, got)
		}
	})
	t.Run("published ports", func(t *testing.T) {
		got, err := d.PublishPorts(ctx, ep2.Key, []PortMapping{
			{ContainerPort: 8080, Protocol: "tcp"}, {ContainerPort: 5353, Protocol: "udp"}})
		if err != nil || len(got) != 2 || got[0].HostPort == 0 || got[1].HostPort == 0 {
			t.Fatalf("PublishPorts(c2) = %+v, %v, want two chosen ports", got, err)
		}
		tcpPort, udpPort := strconv.Itoa(int(got[0].HostPort)), strconv.Itoa(int(got[1].HostPort))
		checks := []struct{ from, network, addr string }{
			{"", "tcp4", "127.0.0.1:" + tcpPort},
			{"", "udp4", "127.0.0.1:" + udpPort},
			{ns["c3"], "tcp4", net.JoinHostPort(netB.Gateway.String(), tcpPort)},
			{ns["c3"], "udp4", net.JoinHostPort(netB.Gateway.String(), udpPort)},
			{ns["c1"], "tcp4", net.JoinHostPort(netA.Gateway.String(), tcpPort)},
		}
		for _, c := range checks {
			if got, err := roundTrip(t, c.from, c.network, c.addr); err != nil || got != "hello" {
				t.Errorf("%s %s from %q = %q, %v, want hello", c.network, c.addr, c.from, got, err)
			}
		}
		if _, err := d.PublishPorts(ctx, ep1.Key, []PortMapping{{HostPort: got[0].HostPort, ContainerPort: 8080}}); !errors.Is(err, ErrExists) {
			t.Errorf("PublishPorts(c1, berth-held port %d) = %v, want ErrExists", got[0].HostPort, err)
		}
	})
	t.Run("host port taken", func(t *testing.T) {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		port := uint16(l.Addr().(*net.TCPAddr).Port)
		_, err = d.PublishPorts(ctx, ep1.Key, []PortMapping{{HostPort: port, ContainerPort: 8080}})
		if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), fmt.Sprintf("tcp/%d", port)) ||
			!strings.Contains(err.Error(), "netdriver.test") {
			t.Errorf("PublishPorts(host port %d held by this test) = %v, want ErrExists naming port and process", port, err)
		}
	})
	if err := d.Detach(ctx, ns["c1"], netA.Name); err != nil {
		t.Errorf("Detach(c1) = %v", err)
	}
	if ep, err := d.Attach(ctx, ns["c4"], netA.Name, AttachOptions{}); err != nil || ep.Address != ep1.Address {
		t.Errorf("Attach(c4) after Detach(c1) = %+v, %v, want the released address %s", ep, err, ep1.Address)
	}
	if err := d.DeleteNetns("btnc2" + suffix); err != nil {
		t.Errorf("DeleteNetns(c2) = %v", err)
	}
	if ep, err := d.Attach(ctx, ns["c1"], netA.Name, AttachOptions{IPv4: static}); err != nil || ep.Address.Addr() != static {
		t.Errorf("Attach(c1, %s) after DeleteNetns(c2) = %+v, %v, want the released static address", static, ep, err)
	}
	if err := d.DeleteNetwork(ctx, netB.Name); err != nil {
		t.Errorf("DeleteNetwork(b) = %v", err)
	}
	if _, err := netlink.LinkByName(netB.Bridge); err == nil {
		t.Errorf("bridge %s left after DeleteNetwork", netB.Bridge)
	}
	if err := d.DeleteNetwork(ctx, netB.Name); err != nil {
		t.Errorf("DeleteNetwork(b) again = %v, want nil", err)
	}
}

// checkSingleQueue fails unless the container's end of a veth has one transmit and one
// receive queue (made so, not cut down to one: see attachVethIn).
func checkSingleQueue(t *testing.T, nsPath, ifName string) {
	t.Helper()
	in := netlinkIn(t, nsPath)
	defer in.Close()
	l, err := in.LinkByName(ifName)
	if err != nil {
		t.Fatalf("find %s in %s: %v", ifName, nsPath, err)
	}
	if a := l.Attrs(); a.NumTxQueues != 1 || a.NumRxQueues != 1 {
		t.Errorf("%s has %d transmit and %d receive queues, want 1 and 1", ifName, a.NumTxQueues, a.NumRxQueues)
	}
}
