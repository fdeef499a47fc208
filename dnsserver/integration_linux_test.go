package dnsserver

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// testNet is a bridge with gateway 10.233.0.1/24 and one client namespace attached by
// a veth pair, all named with the prefix "btd" and a random suffix.
type testNet struct {
	bridge, hostVeth, netns string
}

// newTestNet builds the topology and registers its removal, and a check that nothing
// of it leaked, with t.Cleanup.
//
//	host netns                         client netns btdn<sfx>
//	btdb<sfx> 10.233.0.1/24 --- btdh<sfx> <==> btdc<sfx> 10.233.0.2/24
func newTestNet(t testing.TB) *testNet {
	t.Helper()
	sfx := fmt.Sprintf("%06x", rand.IntN(1<<24))
	tn := &testNet{bridge: "btdb" + sfx, hostVeth: "btdh" + sfx, netns: "btdn" + sfx}
	t.Cleanup(func() { tn.assertGone(t) })
	t.Cleanup(tn.remove)

	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: tn.bridge}}
	must(t, "add bridge", netlink.LinkAdd(br))
	must(t, "address bridge", netlink.AddrAdd(br, mustAddr("10.233.0.1/24")))
	must(t, "bridge up", netlink.LinkSetUp(br))

	ns := newNamedNetns(t, tn.netns)
	defer ns.Close()
	peer := "btdc" + sfx
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: tn.hostVeth, MasterIndex: br.Index}, PeerName: peer}
	must(t, "add veth", netlink.LinkAdd(veth))
	must(t, "veth up", netlink.LinkSetUp(veth))
	pl, err := netlink.LinkByName(peer)
	must(t, "find veth peer", err)
	must(t, "move veth peer", netlink.LinkSetNsFd(pl, int(ns)))

	h, err := netlink.NewHandleAt(ns)
	must(t, "netlink handle in netns", err)
	defer h.Close()
	for _, name := range []string{"lo", peer} {
		l, err := h.LinkByName(name)
		must(t, "find "+name+" in netns", err)
		if name == peer {
			must(t, "address veth peer", h.AddrAdd(l, mustAddr("10.233.0.2/24")))
		}
		must(t, name+" up", h.LinkSetUp(l))
	}
	return tn
}

// newNamedNetns creates a named netns without leaving any Go thread in it.
func newNamedNetns(t testing.TB, name string) netns.NsHandle {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	must(t, "get current netns", err)
	defer orig.Close()
	ns, err := netns.NewNamed(name)
	if err != nil {
		netns.Set(orig)
		t.Fatalf("create netns %s: %v", name, err)
	}
	must(t, "return to host netns", netns.Set(orig))
	return ns
}

func (tn *testNet) remove() {
	for _, name := range []string{tn.hostVeth, tn.bridge} {
		if l, err := netlink.LinkByName(name); err == nil {
			netlink.LinkDel(l)
		}
	}
	netns.DeleteNamed(tn.netns)
}

func (tn *testNet) assertGone(t testing.TB) {
	for _, name := range []string{tn.hostVeth, tn.bridge} {
		if _, err := netlink.LinkByName(name); err == nil {
			t.Errorf("link %s leaked", name)
		}
	}
	if _, err := os.Stat("/run/netns/" + tn.netns); err == nil {
		t.Errorf("netns %s leaked", tn.netns)
	}
}

func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func mustAddr(s string) *netlink.Addr {
	a, err := netlink.ParseAddr(s)
	if err != nil {
		panic(err)
	}
	return a
}

func TestResolveFromNamespace(t *testing.T) {
	testenv.RequiresRoot(t)
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skipf("busybox-static is not installed: %v", err)
	}
	tn := newTestNet(t)
	s := New(Options{Upstreams: []netip.AddrPort{}})
	t.Cleanup(func() { s.Close() })
	gw := netip.MustParseAddr("10.233.0.1")
	port, err := s.AddNetwork("btdproj_default", gw, false)
	if err != nil {
		t.Fatalf("AddNetwork on %s: %v", gw, err)
	}
	eps := []Endpoint{
		{ID: "client", Addr: netip.MustParseAddr("10.233.0.2"), Service: "client", ContainerName: "btdproj-client-1"},
		{ID: "web1", Addr: netip.MustParseAddr("10.233.0.3"), Service: "web", ContainerName: "btdproj-web-1"},
		{ID: "web2", Addr: netip.MustParseAddr("10.233.0.4"), Service: "web", ContainerName: "btdproj-web-2"},
	}
	for _, ep := range eps {
		setEndpoint(t, s, "btdproj_default", ep)
	}
	server := net.JoinHostPort(gw.String(), fmt.Sprint(port))
	t.Logf("serving %s", server)
	tests := []struct {
		name string
		want []string
	}{
		{"web", []string{"10.233.0.3", "10.233.0.4"}},
		{"BTDPROJ-WEB-2", []string{"10.233.0.4"}},
		{"web.btdproj_default", []string{"10.233.0.3", "10.233.0.4"}},
		{"10.233.0.3", []string{"btdproj-web-1.btdproj_default"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command("ip", "netns", "exec", tn.netns, "/bin/busybox", "nslookup", tt.name, server).CombinedOutput()
			if err != nil {
				t.Fatalf("nslookup %s %s: %v\n%s", tt.name, server, err, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("nslookup %s = %q, want it to contain %s", tt.name, out, w)
				}
			}
		})
	}
	out, err := exec.Command("ip", "netns", "exec", tn.netns, "/bin/busybox", "nslookup", "nope", server).CombinedOutput()
	if err == nil {
		t.Errorf("nslookup nope succeeded, want failure:\n%s", out)
	}
}
