package main

import (
	"encoding/json"
	"fmt"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// netkeysCompose uses every network key of a service attachment and of a network's
// addressing. F, B and S are the third bytes of the /24s of front, back and side; V6 is
// the first 64 bits of front's IPv6 subnet; side takes a /64 of the ULA pool.
const netkeysCompose = `services:
  a:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    mac_address: "02:42:be:ef:00:01"
    networks:
      front:
        priority: 10
        interface_name: front0
        link_local_ips: ["169.254.10.10"]
      back: {}
  b:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    networks: [back, side]
  c:
    image: bte-busybox
    command: ["sh", "-c", "echo c > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
    stop_signal: SIGKILL
    ports: ["${PORT}:8080"]
    environment: {GEN: "${GEN:-1}"}
    networks:
      front:
        ipv6_address: "${V6}::c"
      side:
        gw_priority: 2
        interface_name: side0
        mac_address: "02:42:be:ef:00:02"
networks:
  front:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.240.${F}.0/24
          ip_range: 10.240.${F}.128/26
        - subnet: "${V6}::/64"
  back:
    internal: true
    ipam: {config: [{subnet: "10.240.${B}.0/24"}]}
  side:
    enable_ipv6: true
    ipam: {config: [{subnet: "10.240.${S}.0/24"}]}
`

// TestE2ENetworkKeys: ip_range, mac_address (service and per network), interface_name,
// link_local_ips, gw_priority and enable_ipv6 take effect as with Docker, seen from inside
// the containers (ip addr, ip route, nslookup) and from the host (a port published on an
// IPv6 address, the ip6 table, NAT66 as an outside peer sees it).
func TestE2ENetworkKeys(t *testing.T) {
	e := newE2E(t)
	thirds := mathrand.Perm(256)[:3]
	f, b, s := thirds[0], thirds[1], thirds[2]
	v6 := randomULA64()
	port := freePort(t)
	e.env = append(e.env, "PORT="+port, "V6="+v6, fmt.Sprintf("F=%d", f), fmt.Sprintf("B=%d", b), fmt.Sprintf("S=%d", s))
	file := writeCompose(t, netkeysCompose)
	_, stderr, err := e.berth("-f", file, "up", "-d")
	if err != nil {
		t.Fatalf("up: %v\n%s", err, stderr)
	}
	for _, key := range []string{"mac_address", "enable_ipv6", "link_local_ips", "ipv6_address", "gw_priority", "interface_name", "ip_range"} {
		if strings.Contains(stderr, key) {
			t.Errorf("up warns of %s, which takes effect:\n%s", key, stderr)
		}
	}
	sh := func(service, cmd string) string {
		return e.mustBerth("-f", file, "exec", "-T", service, "sh", "-c", cmd)
	}

	// a: front is its primary network (priority), named front0, with the service's MAC,
	// an IPv4 address from ip_range, its link-local address and an IPv6 address; the
	// default routes go through front, not through the internal back.
	frontA := sh("a", "busybox ip addr show front0")
	for _, want := range []string{"link/ether 02:42:be:ef:00:01", "inet 169.254.10.10/32", "inet6 " + v6 + "::"} {
		if !strings.Contains(frontA, want) {
			t.Errorf("a: ip addr show front0 lacks %q:\n%s", want, frontA)
		}
	}
	if a4 := firstMatch(frontA, `inet (10\.240\.\d+\.\d+)/24`); !netip.MustParsePrefix(fmt.Sprintf("10.240.%d.128/26", f)).Contains(a4) {
		t.Errorf("a: front0 address %s, want one of ip_range 10.240.%d.128/26:\n%s", a4, f, frontA)
	}
	checkDefaultRoute(t, "a", sh("a", "busybox ip route"), fmt.Sprintf("10.240.%d.1", f), "front0")
	checkDefaultRoute(t, "a", sh("a", "busybox ip -6 route"), v6+"::1", "front0")

	// b: on the internal back (first by name) and side: the default route goes through side.
	routeB := sh("b", "busybox ip route")
	if !strings.Contains(routeB, fmt.Sprintf("default via 10.240.%d.1 ", s)) {
		t.Errorf("b: default route not through side's gateway 10.240.%d.1:\n%s", s, routeB)
	}

	// c: side's gw_priority wins over front (first by name) for both families; side's
	// IPv6 subnet is a /64 of the ULA pool; side0 has its network's MAC address.
	sideC := sh("c", "busybox ip addr show side0")
	if !strings.Contains(sideC, "link/ether 02:42:be:ef:00:02") {
		t.Errorf("c: side0 lacks MAC 02:42:be:ef:00:02:\n%s", sideC)
	}
	side6 := firstMatch(sideC, `inet6 (fd[0-9a-f:]+)/64 scope global`)
	if !side6.IsValid() {
		t.Fatalf("c: side0 has no ULA address:\n%s", sideC)
	}
	side6gw := netip.PrefixFrom(side6, 64).Masked().Addr().Next()
	checkDefaultRoute(t, "c", sh("c", "busybox ip route"), fmt.Sprintf("10.240.%d.1", s), "side0")
	checkDefaultRoute(t, "c", sh("c", "busybox ip -6 route"), side6gw.String(), "side0")

	// The embedded DNS answers AAAA with c's IPv6 address on the network both share.
	if got := sh("a", "busybox nslookup -type=AAAA c"); !strings.Contains(got, v6+"::c") {
		t.Errorf("a: nslookup -type=AAAA c lacks %s::c:\n%s", v6, got)
	}

	// c's port, published on every address, answers on the host's IPv6 address of front.
	if got := e.httpGet("http://[" + v6 + "::1]:" + port + "/index.html"); got != "c\n" {
		t.Errorf("GET [%s::1]:%s = %q, want c's page", v6, port, got)
	}
	rules, _ := exec.Command("nft", "list", "table", "ip6", e.table).CombinedOutput()
	for _, want := range []string{"dnat to [" + v6 + "::c]:8080", "masquerade"} {
		if !strings.Contains(string(rules), want) {
			t.Errorf("ip6 table %s lacks %q:\n%s", e.table, want, rules)
		}
	}

	// network inspect shows front's two subnets and c's IPv6 address, as Docker's.
	var nets []struct {
		EnableIPv6 bool
		IPAM       struct {
			Config []struct{ Subnet, Gateway string }
		}
		Containers map[string]struct{ Name, IPv6Address string }
	}
	if err := json.Unmarshal([]byte(e.mustBerth("network", "inspect", e.project+"_front")), &nets); err != nil || len(nets) != 1 {
		t.Fatalf("network inspect: %v, %d networks", err, len(nets))
	}
	if n := nets[0]; !n.EnableIPv6 || len(n.IPAM.Config) != 2 || n.IPAM.Config[1].Subnet != v6+"::/64" || n.IPAM.Config[1].Gateway != v6+"::1" {
		t.Errorf("network inspect: EnableIPv6 %v, IPAM %+v, want true and %s::/64 gateway %s::1", n.EnableIPv6, n.IPAM.Config, v6, v6)
	}
	var c6 []string
	for _, ep := range nets[0].Containers {
		c6 = append(c6, ep.Name+" "+ep.IPv6Address)
	}
	if !slices.Contains(c6, e.project+"-c-1 "+v6+"::c/64") {
		t.Errorf("network inspect containers = %q, want c with %s::c/64", c6, v6)
	}

	// NAT66: c's connection to a peer outside arrives from the host's address.
	peer, hostSide, removePeer := e.outsidePeer6()
	if got := sh("c", "busybox wget -qO- http://["+peer.Addr().String()+"]:"+fmt.Sprint(peer.Port())+"/"); got != hostSide.String() {
		t.Errorf("c: the outside peer saw source %q, want the host's address %s (masquerade)", got, hostSide)
	}
	removePeer()

	// A new container of c (its config changed) gets the same static IPv6 address and
	// MAC address, and its port answers again.
	before := e.mustBerth("-f", file, "ps", "-q", "c")
	e.env = append(e.env, "GEN=2")
	e.mustBerth("-f", file, "up", "-d")
	if after := e.mustBerth("-f", file, "ps", "-q", "c"); after == before {
		t.Errorf("c after its config changed = %q, want a new container", after)
	}
	if got := sh("c", "busybox ip addr show"); !strings.Contains(got, "inet6 "+v6+"::c/64") || !strings.Contains(got, "link/ether 02:42:be:ef:00:02") {
		t.Errorf("recreated c lacks %s::c or its MAC:\n%s", v6, got)
	}
	if got := e.httpGet("http://[" + v6 + "::1]:" + port + "/index.html"); got != "c\n" {
		t.Errorf("GET [%s::1]:%s after recreate = %q, want c's page", v6, port, got)
	}

	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

// firstMatch is the address the first group of re finds in s (zero when none).
func firstMatch(s, re string) netip.Addr {
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		return netip.Addr{}
	}
	a, _ := netip.ParseAddr(m[1])
	return a
}

func checkDefaultRoute(t *testing.T, service, routes, gw, dev string) {
	t.Helper()
	if !strings.Contains(routes, "default via "+gw+" dev "+dev) {
		t.Errorf("%s: no default route via %s dev %s:\n%s", service, gw, dev, routes)
	}
}

// outsidePeer6 makes a network namespace outside berth's networks, linked to the host by
// a veth pair with a random ULA /64, and serves in it an HTTP page saying the client's
// address. It returns where the page is served, the host's address on the link and a
// function removing the namespace (and the link with it), also run at cleanup.
func (e *e2e) outsidePeer6() (netip.AddrPort, netip.Addr, func()) {
	e.t.Helper()
	ns, hostIf := e.prefix+"o"+randHex(4), e.prefix+"h"+randHex(4)
	prefix := randomULA64()
	hostAddr, peerAddr := netip.MustParseAddr(prefix+"::1"), netip.MustParseAddr(prefix+"::2")
	remove := func() { exec.Command("ip", "netns", "del", ns).Run() }
	e.t.Cleanup(remove)
	for _, args := range [][]string{
		{"netns", "add", ns},
		{"link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", ns},
		{"addr", "add", hostAddr.String() + "/64", "dev", hostIf, "nodad"},
		{"link", "set", hostIf, "up"},
		{"-n", ns, "addr", "add", peerAddr.String() + "/64", "dev", "eth0", "nodad"},
		{"-n", ns, "link", "set", "eth0", "up"},
		{"-n", ns, "link", "set", "lo", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			e.t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	l := listenInNetns(e.t, "/run/netns/"+ns, "tcp6", "["+peerAddr.String()+"]:0")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		fmt.Fprint(w, host)
	})}
	go srv.Serve(l)
	e.t.Cleanup(func() { srv.Close() })
	return netip.MustParseAddrPort(l.Addr().String()), hostAddr, func() { srv.Close(); remove() }
}

// listenInNetns opens a listener in the network namespace at nsPath, on a thread that
// returns to the test's namespace before it is unlocked.
func listenInNetns(t *testing.T, nsPath, network, addr string) net.Listener {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	target, err := os.Open(nsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		t.Fatalf("setns %s: %v", nsPath, err)
	}
	l, lerr := net.Listen(network, addr)
	if err := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); err != nil {
		panic("cannot return to the test's network namespace: " + err.Error())
	}
	if lerr != nil {
		t.Fatalf("listen %s %s in %s: %v", network, addr, nsPath, lerr)
	}
	return l
}
