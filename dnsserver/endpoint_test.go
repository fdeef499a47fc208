package dnsserver

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// TestSetEndpointUnchanged sets an endpoint again as a reconciliation does: an equal one
// keeps the network's records as they are, a changed one (an alias more, the same
// aliases in another slice) is answered at once.
func TestSetEndpointUnchanged(t *testing.T) {
	s, base, addr := newTestServer(t, Options{}, false)
	ep := Endpoint{ID: "a", Addr: host(base, 10), Service: "web", ContainerName: "p-web-1", Aliases: []string{"www"}}
	setEndpoint(t, s, "proj_default", ep)
	n, err := s.network("proj_default")
	if err != nil {
		t.Fatal(err)
	}
	before := n.table.Load()
	same := ep
	same.Aliases = []string{"www"} // equal content, another slice
	setEndpoint(t, s, "proj_default", same)
	if n.table.Load() != before {
		t.Errorf("SetEndpoint(equal endpoint) rebuilt the records")
	}
	changed := ep
	changed.Aliases = []string{"www", "api"}
	setEndpoint(t, s, "proj_default", changed)
	if n.table.Load() == before {
		t.Errorf("SetEndpoint(changed aliases) kept the old records")
	}
	c := client("udp", host(base, 10))
	if got, want := addrs(query(t, c, addr, "api.", dns.TypeA)), []string{host(base, 10).String()}; !cmp.Equal(got, want) {
		t.Errorf("api. = %v, want %v", got, want)
	}
}

// BenchmarkSyncEndpoints sets every endpoint of a 50-container network again, as the
// supervisor does on each sync request.
func BenchmarkSyncEndpoints(b *testing.B) {
	s := New(Options{Upstreams: []netip.AddrPort{}})
	b.Cleanup(func() { s.Close() })
	base := [4]byte{127, 76, byte(b.N%200) + 20, 0}
	if _, err := s.AddNetwork("bench", host(base, 1), false); err != nil {
		b.Fatalf("AddNetwork: %v", err)
	}
	var eps []Endpoint
	for i := range byte(50) {
		eps = append(eps, Endpoint{ID: fmt.Sprint(i), Addr: host(base, 10+i), Service: fmt.Sprintf("svc%d", i),
			ContainerName: fmt.Sprintf("bench-svc%d-1", i), Aliases: []string{fmt.Sprintf("svc%d", i)}})
	}
	b.ResetTimer()
	for range b.N {
		for _, ep := range eps {
			if err := s.SetEndpoint("bench", ep); err != nil {
				b.Fatal(err)
			}
		}
	}
}
