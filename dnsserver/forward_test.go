package dnsserver

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// deadUpstream returns a loopback address whose UDP socket is bound but never answers,
// so queries to it time out.
func deadUpstream(t *testing.T) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp", host(loopNet(t), 9).String()+":0")
	if err != nil {
		t.Fatalf("dead upstream: %v", err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().(*net.UDPAddr).AddrPort()
}

func TestForwarding(t *testing.T) {
	up := fakeUpstream(t)
	s, base, addr := newTestServer(t, Options{Upstreams: []netip.AddrPort{up}}, false)
	setEndpoint(t, s, "proj_default", Endpoint{ID: "a", Addr: host(base, 10), Service: "web"})
	c := client("udp", host(base, 10))

	resp := query(t, c, addr, "ext.example.", dns.TypeA)
	if diff := cmp.Diff([]string{"198.51.100.7"}, addrs(resp)); diff != "" {
		t.Errorf("ext.example. (-want +got):\n%s", diff)
	}
	if resp.Authoritative {
		t.Errorf("forwarded answer is authoritative, want not")
	}
	if resp := query(t, c, addr, "missing.example.", dns.TypeA); resp.Rcode != dns.RcodeNameError {
		t.Errorf("missing.example. rcode = %s, want NXDOMAIN", dns.RcodeToString[resp.Rcode])
	}
	// The upstream truncates over UDP; berth retries over TCP and answers a TCP client fully.
	if resp := query(t, client("tcp", host(base, 10)), addr, "big.example.", dns.TypeA); len(resp.Answer) != 100 || resp.Truncated {
		t.Errorf("big.example. over TCP: %d answers, TC=%v, want 100 and no TC", len(resp.Answer), resp.Truncated)
	}
	// Over UDP without EDNS the client gets a truncated answer and the TC bit.
	if resp := query(t, c, addr, "big.example.", dns.TypeA); !resp.Truncated {
		t.Errorf("big.example. over UDP: TC=false, want true")
	}
}

func TestInternalNetworkDoesNotForward(t *testing.T) {
	up := fakeUpstream(t)
	s, base, addr := newTestServer(t, Options{Upstreams: []netip.AddrPort{up}}, true)
	setEndpoint(t, s, "proj_default", Endpoint{ID: "a", Addr: host(base, 10), Service: "web"})
	c := client("udp", host(base, 10))
	if resp := query(t, c, addr, "ext.example.", dns.TypeA); resp.Rcode != dns.RcodeRefused || len(resp.Answer) != 0 {
		t.Errorf("ext.example. on internal network: rcode %s, %v, want REFUSED and no answer", dns.RcodeToString[resp.Rcode], resp.Answer)
	}
	if got := addrs(query(t, c, addr, "web.", dns.TypeA)); len(got) != 1 {
		t.Errorf("web. on internal network = %v, want its address", got)
	}
}

func TestServfailWhenUpstreamsDown(t *testing.T) {
	opts := Options{Upstreams: []netip.AddrPort{deadUpstream(t)}, ForwardTimeout: 200 * time.Millisecond}
	s, base, addr := newTestServer(t, opts, false)
	setEndpoint(t, s, "proj_default", Endpoint{ID: "a", Addr: host(base, 10), Service: "web"})
	resp := query(t, client("udp", host(base, 10)), addr, "ext.example.", dns.TypeA)
	if resp.Rcode != dns.RcodeServerFailure {
		t.Errorf("rcode with dead upstream = %s, want SERVFAIL", dns.RcodeToString[resp.Rcode])
	}
}

func TestDeadUpstreamIsRemembered(t *testing.T) {
	timeout := 300 * time.Millisecond
	opts := Options{Upstreams: []netip.AddrPort{deadUpstream(t), fakeUpstream(t)}, ForwardTimeout: timeout}
	s, base, addr := newTestServer(t, opts, false)
	setEndpoint(t, s, "proj_default", Endpoint{ID: "a", Addr: host(base, 10), Service: "web"})
	c := client("udp", host(base, 10))
	for i := range 3 {
		start := time.Now()
		resp := query(t, c, addr, "ext.example.", dns.TypeA)
		took := time.Since(start)
		if len(resp.Answer) != 1 {
			t.Fatalf("query %d: %v, want the live upstream's answer", i, resp)
		}
		if i == 0 && took < timeout {
			t.Errorf("first query took %v, want at least the dead upstream's timeout %v", took, timeout)
		}
		if i > 0 && took >= timeout {
			t.Errorf("query %d took %v, want the dead upstream skipped (< %v)", i, took, timeout)
		}
	}
}

// TestEndpointUpstreams: an endpoint with upstreams of its own (a container's dns:)
// still gets the network's names, and its other names go to its upstreams, not the
// server's; an endpoint without them keeps the server's.
func TestEndpointUpstreams(t *testing.T) {
	s, base, addr := newTestServer(t, Options{Upstreams: []netip.AddrPort{fakeUpstream(t)}, ForwardTimeout: 300 * time.Millisecond}, false)
	setEndpoint(t, s, "proj_default", Endpoint{ID: "own", Addr: host(base, 10), Service: "app",
		Upstreams: []netip.AddrPort{deadUpstream(t)}})
	setEndpoint(t, s, "proj_default", Endpoint{ID: "plain", Addr: host(base, 11), Service: "web"})
	own, plain := client("udp", host(base, 10)), client("udp", host(base, 11))
	if got := addrs(query(t, own, addr, "web.", dns.TypeA)); len(got) != 1 || got[0] != host(base, 11).String() {
		t.Errorf("web. from the endpoint with its own upstreams = %v, want %s", got, host(base, 11))
	}
	if resp := query(t, own, addr, "ext.example.", dns.TypeA); resp.Rcode != dns.RcodeServerFailure {
		t.Errorf("ext.example. from the endpoint with a dead upstream of its own: rcode %s, want SERVFAIL", dns.RcodeToString[resp.Rcode])
	}
	if got := addrs(query(t, plain, addr, "ext.example.", dns.TypeA)); len(got) != 1 || got[0] != "198.51.100.7" {
		t.Errorf("ext.example. from the endpoint without upstreams = %v, want the server's upstream's answer", got)
	}
}
