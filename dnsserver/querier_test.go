package dnsserver

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// twoNets serves networks "a_net" and "b_net" (b_net internal when bInternal) on
// fresh loopback gateways, and holds a peer network "c_net". It returns the server,
// the base of each network's addresses and the address to query each on.
func twoNets(t *testing.T, bInternal bool) (*Server, [3][4]byte, [2]string) {
	t.Helper()
	s := New(Options{Upstreams: []netip.AddrPort{}})
	t.Cleanup(func() { s.Close() })
	var bases [3][4]byte
	var servers [2]string
	for i, name := range []string{"a_net", "b_net"} {
		bases[i] = loopNet(t)
		port, err := s.AddNetwork(name, host(bases[i], 1), i == 1 && bInternal)
		if err != nil {
			t.Fatalf("AddNetwork(%q): %v", name, err)
		}
		servers[i] = net.JoinHostPort(host(bases[i], 1).String(), strconv.Itoa(int(port)))
	}
	bases[2] = loopNet(t)
	if err := s.AddPeerNetwork("c_net", false); err != nil {
		t.Fatalf("AddPeerNetwork: %v", err)
	}
	return s, bases, servers
}

// TestQuerierView checks that a container resolves the names of every network it is
// on, and only those, whichever listener it asks: aliases stay on their network, a
// target on two networks answers its address on the one shared, links are the
// querier's own and come first.
func TestQuerierView(t *testing.T) {
	s, b, srv := twoNets(t, false)
	tA, tB := host(b[0], 10), host(b[1], 10)
	// t is on a_net (alias "ta") and b_net (alias "tb"); x is on the peer c_net only.
	setEndpoint(t, s, "a_net", Endpoint{ID: "t", Addr: tA, Service: "target", ContainerName: "p-target-1", Aliases: []string{"ta"}})
	setEndpoint(t, s, "b_net", Endpoint{ID: "t", Addr: tB, Service: "target", ContainerName: "p-target-1", Aliases: []string{"tb"}})
	setEndpoint(t, s, "a_net", Endpoint{ID: "other", Addr: host(b[0], 11), Service: "other"})
	setEndpoint(t, s, "c_net", Endpoint{ID: "x", Addr: host(b[2], 10), Service: "x", ContainerName: "q-x-1"})
	// qa is on a_net only, with links; qb on b_net only; qac on a_net and c_net; qab on both.
	setEndpoint(t, s, "a_net", Endpoint{ID: "qa", Addr: host(b[0], 20), Service: "qa",
		Links: map[string]string{"db": "p-target-1", "other": "p-target-1", "gone": "nowhere", "xl": "q-x-1"}})
	setEndpoint(t, s, "b_net", Endpoint{ID: "qb", Addr: host(b[1], 20), Service: "qb"})
	setEndpoint(t, s, "a_net", Endpoint{ID: "qac", Addr: host(b[0], 21), Service: "qac"})
	setEndpoint(t, s, "c_net", Endpoint{ID: "qac", Addr: host(b[2], 21), Service: "qac"})
	setEndpoint(t, s, "a_net", Endpoint{ID: "qab", Addr: host(b[0], 22), Service: "qab"})
	setEndpoint(t, s, "b_net", Endpoint{ID: "qab", Addr: host(b[1], 22), Service: "qab"})
	tests := []struct {
		desc, name string
		from       netip.Addr
		server     string
		want       []string // nil: not local (SERVFAIL without upstreams)
	}{
		{"service on the shared network", "target.", host(b[1], 20), srv[1], []string{tB.String()}},
		{"service on the other shared network", "target.", host(b[0], 20), srv[0], []string{tA.String()}},
		{"alias of the shared network", "tb.", host(b[1], 20), srv[1], []string{tB.String()}},
		{"alias of a network not shared", "ta.", host(b[1], 20), srv[1], nil},
		{"name.network of a network not shared", "target.a_net.", host(b[1], 20), srv[1], nil},
		{"peer network's name", "x.", host(b[0], 21), srv[0], []string{host(b[2], 10).String()}},
		{"peer network not shared", "x.", host(b[0], 20), srv[0], nil},
		{"first network in order", "target.", host(b[0], 22), srv[0], []string{tA.String()}},
		{"first network in order, asked on the other", "target.", host(b[1], 22), srv[1], []string{tA.String()}},
		{"other network's alias, asked on this one", "tb.", host(b[0], 22), srv[0], []string{tB.String()}},
		{"link", "db.", host(b[0], 20), srv[0], []string{tA.String()}},
		{"link shadows the network's name", "other.", host(b[0], 20), srv[0], []string{tA.String()}},
		{"the network's name to others", "other.", host(b[0], 21), srv[0], []string{host(b[0], 11).String()}},
		{"link is the querier's own", "db.", host(b[0], 21), srv[0], nil},
		{"link to a target not there", "gone.", host(b[0], 20), srv[0], nil},
		{"link to a target on no shared network", "xl.", host(b[0], 20), srv[0], nil},
	}
	for _, tt := range tests {
		for _, proto := range []string{"udp", "tcp"} {
			t.Run(tt.desc+"/"+proto, func(t *testing.T) {
				resp := query(t, client(proto, tt.from), tt.server, tt.name, dns.TypeA)
				if tt.want == nil {
					if resp.Rcode != dns.RcodeServerFailure {
						t.Errorf("%s from %s: rcode %s, answer %v; want not local (SERVFAIL)", tt.name, tt.from, dns.RcodeToString[resp.Rcode], addrs(resp))
					}
					return
				}
				if diff := cmp.Diff(tt.want, addrs(resp)); diff != "" {
					t.Errorf("%s from %s (-want +got):\n%s", tt.name, tt.from, diff)
				}
			})
		}
	}
}

// TestQuerierOrderInternal checks Docker's order: a name on two networks of the
// querier answers its address on the one that is not internal.
func TestQuerierOrderInternal(t *testing.T) {
	s, b, srv := twoNets(t, true)
	setEndpoint(t, s, "a_net", Endpoint{ID: "t", Addr: host(b[0], 10), Service: "target"})
	setEndpoint(t, s, "b_net", Endpoint{ID: "t", Addr: host(b[1], 10), Service: "target"})
	setEndpoint(t, s, "a_net", Endpoint{ID: "q", Addr: host(b[0], 20), Service: "q"})
	setEndpoint(t, s, "b_net", Endpoint{ID: "q", Addr: host(b[1], 20), Service: "q"})
	got := addrs(query(t, client("udp", host(b[1], 20)), srv[1], "target.", dns.TypeA))
	if want := []string{host(b[0], 10).String()}; !cmp.Equal(got, want) {
		t.Errorf("target. from a querier on a_net and internal b_net = %v, want %v", got, want)
	}
}

// TestQuerierViewUpdates checks that the view follows the endpoints: a querier that
// leaves a network stops resolving its names, and one that joins starts.
func TestQuerierViewUpdates(t *testing.T) {
	s, b, srv := twoNets(t, false)
	setEndpoint(t, s, "b_net", Endpoint{ID: "t", Addr: host(b[1], 10), Service: "target"})
	setEndpoint(t, s, "a_net", Endpoint{ID: "q", Addr: host(b[0], 20), Service: "q"})
	c := client("udp", host(b[0], 20))
	if resp := query(t, c, srv[0], "target.", dns.TypeA); resp.Rcode != dns.RcodeServerFailure {
		t.Fatalf("target. before q joins b_net: %v, want not local", addrs(resp))
	}
	setEndpoint(t, s, "b_net", Endpoint{ID: "q", Addr: host(b[1], 20), Service: "q"})
	if got := addrs(query(t, c, srv[0], "target.", dns.TypeA)); !cmp.Equal(got, []string{host(b[1], 10).String()}) {
		t.Fatalf("target. after q joined b_net = %v", got)
	}
	if err := s.RemoveEndpoint("b_net", "q"); err != nil {
		t.Fatal(err)
	}
	if resp := query(t, c, srv[0], "target.", dns.TypeA); resp.Rcode != dns.RcodeServerFailure {
		t.Errorf("target. after q left b_net: %v, want not local", addrs(resp))
	}
}

func TestAddPeerNetworkErrors(t *testing.T) {
	s, _, _ := twoNets(t, false)
	for _, name := range []string{"a_net", "c_net"} {
		if err := s.AddPeerNetwork(name, false); !errors.Is(err, ErrExists) {
			t.Errorf("AddPeerNetwork(%q) = %v, want ErrExists", name, err)
		}
	}
	if err := s.AddPeerNetwork("", false); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddPeerNetwork(\"\") = %v, want ErrInvalid", err)
	}
}

// TestEndpointDomain checks that an endpoint's own domain replaces the server's
// suffixes for its names: a container of another project is not answered under this
// one's name.
func TestEndpointDomain(t *testing.T) {
	s, base, addr := newTestServer(t, Options{Suffixes: []string{"proj"}}, false)
	setEndpoint(t, s, "proj_default", Endpoint{ID: "o", Addr: host(base, 10), Service: "api", Domain: "other"})
	setEndpoint(t, s, "proj_default", Endpoint{ID: "p", Addr: host(base, 11), Service: "web"})
	c := client("udp", host(base, 11))
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"api.other.", []string{host(base, 10).String()}},
		{"api.proj_default.", []string{host(base, 10).String()}},
		{"api.proj.", nil},
		{"web.proj.", []string{host(base, 11).String()}},
	} {
		resp := query(t, c, addr, tt.name, dns.TypeA)
		if got := addrs(resp); !cmp.Equal(got, tt.want) || (tt.want == nil && resp.Rcode != dns.RcodeServerFailure) {
			t.Errorf("%s = %s %v, want %v", tt.name, dns.RcodeToString[resp.Rcode], got, tt.want)
		}
	}
}
