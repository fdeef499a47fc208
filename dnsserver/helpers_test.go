package dnsserver

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// loopNet returns a random 127.a.b.0/24 base so parallel tests, and other engineers'
// tests, do not share addresses. Host i of it is base.Next() i times.
func loopNet(t *testing.T) [4]byte {
	t.Helper()
	return [4]byte{127, byte(rand.IntN(200) + 20), byte(rand.IntN(250) + 1), 0}
}

func host(base [4]byte, i byte) netip.Addr {
	base[3] = i
	return netip.AddrFrom4(base)
}

// newTestServer starts a Server with one network "proj_default" on a fresh loopback
// gateway and returns it with the address to query.
func newTestServer(t *testing.T, opts Options, internal bool) (*Server, [4]byte, string) {
	t.Helper()
	if opts.Upstreams == nil {
		opts.Upstreams = []netip.AddrPort{}
	}
	s := New(opts)
	t.Cleanup(func() { s.Close() })
	base := loopNet(t)
	port, err := s.AddNetwork("proj_default", host(base, 1), internal)
	if err != nil {
		t.Fatalf("AddNetwork: %v", err)
	}
	return s, base, net.JoinHostPort(host(base, 1).String(), strconv.Itoa(int(port)))
}

// client returns a miekg/dns client over network ("udp" or "tcp") whose queries come
// from src.
func client(network string, src netip.Addr) *dns.Client {
	d := &net.Dialer{Timeout: 2 * time.Second}
	if network == "tcp" {
		d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
	} else {
		d.LocalAddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
	}
	return &dns.Client{Net: network, Dialer: d, Timeout: 3 * time.Second}
}

func query(t *testing.T, c *dns.Client, server, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	resp, _, err := c.Exchange(m, server)
	if err != nil {
		t.Fatalf("query %s %s: %v", name, dns.TypeToString[qtype], err)
	}
	return resp
}

// addrs lists the A and AAAA addresses of an answer, in order.
func addrs(m *dns.Msg) []string {
	var out []string
	for _, rr := range m.Answer {
		switch rr := rr.(type) {
		case *dns.A:
			out = append(out, rr.A.String())
		case *dns.AAAA:
			out = append(out, rr.AAAA.String())
		}
	}
	return out
}

func setEndpoint(t *testing.T, s *Server, network string, ep Endpoint) {
	t.Helper()
	if err := s.SetEndpoint(network, ep); err != nil {
		t.Fatalf("SetEndpoint(%q, %+v): %v", network, ep, err)
	}
}

// fakeUpstream serves on a loopback address: "ext.example." has an A record,
// "big.example." an answer too large for UDP, every other name is NXDOMAIN. It returns
// its address.
func fakeUpstream(t *testing.T) netip.AddrPort {
	t.Helper()
	base := loopNet(t)
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		switch r.Question[0].Name {
		case "ext.example.":
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: "ext.example.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(198, 51, 100, 7)})
		case "big.example.":
			for i := range 100 {
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: "big.example.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(198, 51, 100, byte(i))})
			}
		default:
			m.Rcode = dns.RcodeNameError
		}
		if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
			m.Truncate(dns.MinMsgSize)
		}
		_ = w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", host(base, 53).String()+":0")
	if err != nil {
		t.Fatalf("fake upstream: %v", err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	ln, err := net.Listen("tcp", net.JoinHostPort(host(base, 53).String(), strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("fake upstream tcp: %v", err)
	}
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go srv.ActivateAndServe() //nolint:errcheck // returns on shutdown
		<-started
		t.Cleanup(func() { srv.Shutdown() })
	}
	return netip.AddrPortFrom(host(base, 53), uint16(port))
}
