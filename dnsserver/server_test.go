package dnsserver

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

func TestLocalNames(t *testing.T) {
	s, base, addr := newTestServer(t, Options{Suffixes: []string{"proj"}}, false)
	setEndpoint(t, s, "proj_default", Endpoint{ID: "c1", Addr: host(base, 10), Service: "web",
		ContainerName: "proj-web-1", Hostname: "webhost", Aliases: []string{"www", "Front.End"}})
	setEndpoint(t, s, "proj_default", Endpoint{ID: "c2", Addr: netip.MustParseAddr("fd00::2"),
		Service: "db", ContainerName: "proj-db-1"})
	c := client("udp", host(base, 10))
	tests := []struct {
		name  string
		qtype uint16
		rcode int
		want  []string
	}{
		{"web.", dns.TypeA, dns.RcodeSuccess, []string{host(base, 10).String()}},
		{"WeB.", dns.TypeA, dns.RcodeSuccess, []string{host(base, 10).String()}},
		{"proj-web-1.", dns.TypeA, dns.RcodeSuccess, []string{host(base, 10).String()}},
		{"webhost.", dns.TypeA, dns.RcodeSuccess, []string{host(base, 10).String()}},
		{"www.", dns.TypeA, dns.RcodeSuccess, []string{host(base, 10).String()}},
		{"front.end.", dns.TypeA, dns.RcodeSuccess, []string{host(base, 10).String()}},
		{"web.proj_default.", dns.TypeA, dns.RcodeSuccess, []string{host(base, 10).String()}},
		{"WEB.PROJ.", dns.TypeA, dns.RcodeSuccess, []string{host(base, 10).String()}},
		{"web.", dns.TypeAAAA, dns.RcodeSuccess, nil},
		{"web.", dns.TypeMX, dns.RcodeSuccess, nil},
		{"db.", dns.TypeAAAA, dns.RcodeSuccess, []string{"fd00::2"}},
		{"db.", dns.TypeA, dns.RcodeSuccess, nil},
		// No upstreams: a name that is not local cannot be resolved.
		{"nope.", dns.TypeA, dns.RcodeServerFailure, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.name, dns.TypeToString[tt.qtype]), func(t *testing.T) {
			resp := query(t, c, addr, tt.name, tt.qtype)
			if resp.Rcode != tt.rcode {
				t.Fatalf("rcode = %s, want %s", dns.RcodeToString[resp.Rcode], dns.RcodeToString[tt.rcode])
			}
			if diff := cmp.Diff(tt.want, addrs(resp)); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
			for _, rr := range resp.Answer {
				if rr.Header().Ttl != DefaultTTL {
					t.Errorf("TTL = %d, want %d", rr.Header().Ttl, DefaultTTL)
				}
			}
		})
	}
}

func TestPTR(t *testing.T) {
	s, base, addr := newTestServer(t, Options{}, false)
	setEndpoint(t, s, "proj_default", Endpoint{ID: "c1", Addr: host(base, 10), Service: "web", ContainerName: "Proj-Web-1"})
	rev, _ := dns.ReverseAddr(host(base, 10).String())
	resp := query(t, client("udp", host(base, 10)), addr, rev, dns.TypePTR)
	if len(resp.Answer) != 1 {
		t.Fatalf("PTR %s: answer %v, want one record", rev, resp.Answer)
	}
	if got, want := resp.Answer[0].(*dns.PTR).Ptr, "proj-web-1.proj_default."; got != want {
		t.Errorf("PTR %s = %q, want %q", rev, got, want)
	}
}

func TestRoundRobin(t *testing.T) {
	s, base, addr := newTestServer(t, Options{}, false)
	for i := range byte(3) {
		setEndpoint(t, s, "proj_default", Endpoint{ID: fmt.Sprint(i), Addr: host(base, 10+i), Service: "web"})
	}
	c := client("udp", host(base, 10))
	firsts := map[string]bool{}
	for range 3 {
		got := addrs(query(t, c, addr, "web.", dns.TypeA))
		if len(got) != 3 {
			t.Fatalf("web. = %v, want 3 addresses", got)
		}
		firsts[got[0]] = true
	}
	if len(firsts) != 3 {
		t.Errorf("first addresses over 3 queries = %v, want all 3 replicas to come first once", firsts)
	}
}

func TestNetworkScoping(t *testing.T) {
	s, base, addrA := newTestServer(t, Options{}, false)
	baseB := loopNet(t)
	portB, err := s.AddNetwork("proj_back", host(baseB, 1), false)
	if err != nil {
		t.Fatalf("AddNetwork(proj_back): %v", err)
	}
	addrB := netip.AddrPortFrom(host(baseB, 1), portB).String()
	setEndpoint(t, s, "proj_default", Endpoint{ID: "a", Addr: host(base, 10), Service: "web"})
	setEndpoint(t, s, "proj_back", Endpoint{ID: "b", Addr: host(baseB, 10), Service: "db"})

	if got := addrs(query(t, client("udp", host(base, 10)), addrA, "web.", dns.TypeA)); len(got) != 1 {
		t.Errorf("web. from its network = %v, want its address", got)
	}
	// db lives on proj_back only: proj_default must not answer it.
	resp := query(t, client("udp", host(base, 10)), addrA, "db.", dns.TypeA)
	if len(resp.Answer) != 0 {
		t.Errorf("db. asked on proj_default = %v, want no answer", resp.Answer)
	}
	// A source that is not on proj_default is refused there, even for its names.
	resp = query(t, client("udp", host(baseB, 10)), addrA, "web.", dns.TypeA)
	if resp.Rcode != dns.RcodeRefused {
		t.Errorf("web. from a foreign source: rcode %s, want REFUSED", dns.RcodeToString[resp.Rcode])
	}
	if got := addrs(query(t, client("udp", host(baseB, 10)), addrB, "db.", dns.TypeA)); len(got) != 1 {
		t.Errorf("db. on proj_back = %v, want its address", got)
	}
}

func TestTCPAndTruncation(t *testing.T) {
	s, base, addr := newTestServer(t, Options{}, false)
	for i := range byte(60) {
		setEndpoint(t, s, "proj_default", Endpoint{ID: fmt.Sprint(i), Addr: host(base, 10+i), Service: "web"})
	}
	udp := query(t, client("udp", host(base, 10)), addr, "web.", dns.TypeA)
	if !udp.Truncated || len(udp.Answer) >= 60 {
		t.Errorf("UDP web. with 60 replicas: TC=%v, %d answers, want TC and fewer", udp.Truncated, len(udp.Answer))
	}
	m := new(dns.Msg)
	m.SetQuestion("web.", dns.TypeA)
	m.SetEdns0(4096, false)
	edns, _, err := client("udp", host(base, 10)).Exchange(m, addr)
	if err != nil {
		t.Fatalf("UDP web. with EDNS0 4096: %v", err)
	}
	if edns.Truncated || len(edns.Answer) != 60 || edns.IsEdns0() == nil {
		t.Errorf("UDP web. with EDNS0 4096: TC=%v, %d answers, OPT %v, want all 60 and an OPT", edns.Truncated, len(edns.Answer), edns.IsEdns0())
	}
	tcp := query(t, client("tcp", host(base, 10)), addr, "web.", dns.TypeA)
	if tcp.Truncated || len(tcp.Answer) != 60 {
		t.Errorf("TCP web.: TC=%v, %d answers, want all 60", tcp.Truncated, len(tcp.Answer))
	}
}

func TestEndpointUpdates(t *testing.T) {
	s, base, addr := newTestServer(t, Options{}, false)
	c := client("udp", host(base, 1)) // the gateway itself may query
	setEndpoint(t, s, "proj_default", Endpoint{ID: "a", Addr: host(base, 10), Service: "web"})
	setEndpoint(t, s, "proj_default", Endpoint{ID: "a", Addr: host(base, 11), Service: "web"})
	if got, want := addrs(query(t, c, addr, "web.", dns.TypeA)), []string{host(base, 11).String()}; !cmp.Equal(got, want) {
		t.Errorf("web. after replace = %v, want %v", got, want)
	}
	if err := s.RemoveEndpoint("proj_default", "a"); err != nil {
		t.Fatalf("RemoveEndpoint: %v", err)
	}
	if err := s.RemoveEndpoint("proj_default", "a"); err != nil {
		t.Errorf("RemoveEndpoint twice = %v, want nil", err)
	}
	if resp := query(t, c, addr, "web.", dns.TypeA); len(resp.Answer) != 0 {
		t.Errorf("web. after remove = %v, want none", resp.Answer)
	}
}

func TestErrors(t *testing.T) {
	s, base, _ := newTestServer(t, Options{}, false)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"duplicate network", second(s.AddNetwork("proj_default", host(base, 2), false)), ErrExists},
		{"empty network name", second(s.AddNetwork("", host(base, 2), false)), ErrInvalid},
		{"invalid gateway", second(s.AddNetwork("x", netip.Addr{}, false)), ErrInvalid},
		{"endpoint on unknown network", s.SetEndpoint("nope", Endpoint{ID: "a", Addr: host(base, 3)}), ErrNotFound},
		{"endpoint without ID", s.SetEndpoint("proj_default", Endpoint{Addr: host(base, 3)}), ErrInvalid},
		{"remove on unknown network", s.RemoveEndpoint("nope", "a"), ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.want) {
				t.Errorf("error = %v, want %v", tt.err, tt.want)
			}
		})
	}
	if err := s.RemoveNetwork("nope"); err != nil {
		t.Errorf("RemoveNetwork(unknown) = %v, want nil", err)
	}
}

func second(_ uint16, err error) error { return err }
