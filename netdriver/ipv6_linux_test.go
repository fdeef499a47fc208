package netdriver

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// randomULA is a /64 of fd00::/8 with 56 random bits, so that runs side by side differ.
func randomULA(t *testing.T) netip.Prefix {
	t.Helper()
	p, err := netip.ParsePrefix("fd" + randHex(t, 1) + ":" + randHex(t, 2) + ":" + randHex(t, 2) + ":" + randHex(t, 2) + "::/64")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// echoTCP6 listens on [::]:port in the namespace and echoes every connection.
func echoTCP6(t *testing.T, nsPath string, port string) {
	t.Helper()
	echoOn(t, nsPath, "tcp6", "[::]:"+port)
}

// defaultGateway6 is the gateway of the IPv6 default route in the namespace at nsPath.
func defaultGateway6(t *testing.T, nsPath string) netip.Addr {
	t.Helper()
	var gw netip.Addr
	err := withNetns(nsPath, func(in *netlink.Handle) error {
		routes, err := in.RouteList(nil, netlink.FAMILY_V6)
		for _, r := range routes {
			if r.Dst == nil || isZeroMask(r.Dst.Mask) {
				gw, _ = netip.AddrFromSlice(r.Gw)
			}
		}
		return err
	})
	if err != nil {
		t.Fatalf("routes of %s: %v", nsPath, err)
	}
	return gw
}

// TestIPv6DualStack: a dual-stack network puts its IPv6 gateway on the bridge, gives each
// namespace an address from its subnet (the static one asked for) and a default route
// through the gateway; namespaces reach each other over IPv6, and a port published on
// every address is reachable on the host's IPv6 addresses. (Not on ::1: the kernel does
// not send a packet with a loopback source out of another interface, and IPv6 has no
// route_localnet; Docker answers ::1 with its userland proxy.)
func TestIPv6DualStack(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	suffix := randHex(t, 3)
	subnet6 := randomULA(t)
	n, err := d.CreateNetwork(ctx, "btn-v6-"+suffix, NetworkOptions{IPv6: true, Subnet6: subnet6})
	if err != nil {
		t.Fatalf("CreateNetwork = %v", err)
	}
	if n.Subnet6 != subnet6 || n.Gateway6 != subnet6.Addr().Next() {
		t.Errorf("network = %s gateway %s, want %s gateway %s", n.Subnet6, n.Gateway6, subnet6, subnet6.Addr().Next())
	}
	br, err := netlink.LinkByName(n.Bridge)
	if err != nil {
		t.Fatal(err)
	}
	if addrs, _ := netlink.AddrList(br, netlink.FAMILY_V6); !hasAddr(addrs, n.Gateway6) {
		t.Errorf("bridge addresses = %v, want %s", addrs, n.Gateway6)
	}
	static := subnet6.Addr().Next().Next().Next().Next() // ::4
	var eps []*Endpoint
	var paths []string
	for i, opts := range []AttachOptions{{}, {IPv6: static}} {
		path, err := d.CreateNetns("btn6" + suffix + strconv.Itoa(i))
		if err != nil {
			t.Fatalf("CreateNetns = %v", err)
		}
		ep, err := d.Attach(ctx, path, n.Name, opts)
		if err != nil {
			t.Fatalf("Attach(%+v) = %v", opts, err)
		}
		eps, paths = append(eps, ep), append(paths, path)
		if gw := defaultGateway6(t, path); gw != n.Gateway6 {
			t.Errorf("IPv6 default route of %s via %s, want %s", path, gw, n.Gateway6)
		}
	}
	if eps[0].Address6 != netip.PrefixFrom(subnet6.Addr().Next().Next(), 64) || eps[1].Address6.Addr() != static {
		t.Errorf("addresses = %s, %s, want ::2 and the static %s", eps[0].Address6, eps[1].Address6, static)
	}
	echoTCP6(t, paths[1], "8080")
	target := net.JoinHostPort(static.String(), "8080")
	// The first neighbour solicitation can be lost while the new bridge port comes up
	// (the kernel's linkwatch applies carrier changes up to a second late): retry.
	got, err := roundTrip(t, paths[0], "tcp6", target)
	for start := time.Now(); err != nil && time.Since(start) < 3*time.Second; {
		got, err = roundTrip(t, paths[0], "tcp6", target)
	}
	if err != nil || got != "hello" {
		t.Errorf("from the other namespace to %s = %q, %v, want hello", target, got, err)
	}
	pub, err := d.PublishPorts(ctx, eps[1].Key, []PortMapping{{ContainerPort: 8080}})
	if err != nil {
		t.Fatalf("PublishPorts = %v", err)
	}
	port := strconv.Itoa(int(pub[0].HostPort))
	// ::1 is refused at once, not DNATed into a connection the kernel then drops, so that
	// a client of localhost goes on to 127.0.0.1.
	start := time.Now()
	if _, err := roundTrip(t, "", "tcp6", net.JoinHostPort("::1", port)); !errors.Is(err, syscall.ECONNREFUSED) || time.Since(start) > 500*time.Millisecond {
		t.Errorf("host to [::1]:%s = %v after %v, want connection refused at once", port, err, time.Since(start))
	}
	for _, c := range []struct{ name, from, addr string }{
		{"host to the gateway", "", n.Gateway6.String()},
		{"namespace to the gateway (hairpin)", paths[0], n.Gateway6.String()},
	} {
		if got, err := roundTrip(t, c.from, "tcp6", net.JoinHostPort(c.addr, port)); err != nil || got != "hello" {
			t.Errorf("%s: port %s = %q, %v, want hello", c.name, port, got, err)
		}
	}
}

func hasAddr(addrs []netlink.Addr, a netip.Addr) bool {
	for _, x := range addrs {
		if x.IP.Equal(a.AsSlice()) {
			return true
		}
	}
	return false
}

// TestGatewayPriority: the default route goes through the network with the highest
// gw_priority; internal networks never give one; ties go to the lowest network name.
func TestGatewayPriority(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	suffix := randHex(t, 3)
	mk := func(name string, internal bool) *Network {
		n, err := d.CreateNetwork(ctx, "btn-gp"+name+"-"+suffix, NetworkOptions{Internal: internal})
		if err != nil {
			t.Fatalf("CreateNetwork(%s) = %v", name, err)
		}
		return n
	}
	a, b, in := mk("a", false), mk("b", false), mk("0", true)
	tests := []struct {
		name   string
		attach []*Network
		prio   map[*Network]int
		want   *Network
	}{
		{"lowest name", []*Network{b, a}, nil, a},
		{"gw_priority", []*Network{a, b}, map[*Network]int{b: 1}, b},
		{"internal first", []*Network{in, b}, nil, b},
		{"internal with priority", []*Network{b, in}, map[*Network]int{in: 10}, b},
		{"internal only", []*Network{in}, nil, nil},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, err := d.CreateNetns("btngp" + suffix + strconv.Itoa(i))
			if err != nil {
				t.Fatalf("CreateNetns = %v", err)
			}
			for _, n := range tc.attach {
				if _, err := d.Attach(ctx, path, n.Name, AttachOptions{GwPriority: tc.prio[n]}); err != nil {
					t.Fatalf("Attach(%s) = %v", n.Name, err)
				}
			}
			gw, _ := defaultGateway(t, path)
			want := netip.Addr{}
			if tc.want != nil {
				want = tc.want.Gateway
			}
			if gw != want {
				t.Errorf("default route via %s, want %s", gw, want)
			}
		})
	}
}

// TestAttachInterfaceOptions: interface_name names the interface, link_local_ips are
// added as host addresses, and a name taken in the namespace is refused.
func TestAttachInterfaceOptions(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	suffix := randHex(t, 3)
	n, err := d.CreateNetwork(ctx, "btn-if-"+suffix, NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork = %v", err)
	}
	n2, err := d.CreateNetwork(ctx, "btn-if2-"+suffix, NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork = %v", err)
	}
	path, err := d.CreateNetns("btnif" + suffix)
	if err != nil {
		t.Fatalf("CreateNetns = %v", err)
	}
	ll := []netip.Addr{netip.MustParseAddr("169.254.7.7"), netip.MustParseAddr("fe80::7")}
	ep, err := d.Attach(ctx, path, n.Name, AttachOptions{IfName: "front0", LinkLocal: ll})
	if err != nil || ep.IfName != "front0" {
		t.Fatalf("Attach = %+v, %v, want interface front0", ep, err)
	}
	nsh, _ := netns.GetFromPath(path)
	defer nsh.Close()
	in, _ := netlink.NewHandleAt(nsh)
	defer in.Close()
	link, err := in.LinkByName("front0")
	if err != nil {
		t.Fatalf("front0 in the namespace: %v", err)
	}
	addrs, _ := in.AddrList(link, netlink.FAMILY_ALL)
	for _, a := range ll {
		if !hasAddr(addrs, a) {
			t.Errorf("front0 addresses = %v, want %s", addrs, a)
		}
	}
	if _, err := d.Attach(ctx, path, n2.Name, AttachOptions{IfName: "front0"}); err == nil {
		t.Errorf("Attach with a taken interface name = nil error, want ErrExists")
	}
}
