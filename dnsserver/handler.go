package dnsserver

import (
	"net"
	"net/netip"

	"github.com/miekg/dns"
)

// ServeDNS answers one query that arrived on the network's listeners. It reads the
// network's current table without locking.
func (n *network) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	t := n.table.Load()
	src := remoteAddr(w.RemoteAddr())
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = !n.internal
	_, known := t.ids[src]
	switch {
	case !known && src != n.gateway:
		// Not a container of this network: never an open resolver.
		m.Rcode = dns.RcodeRefused
	case req.Opcode != dns.OpcodeQuery:
		m.Rcode = dns.RcodeNotImplemented
	case len(req.Question) != 1:
		m.Rcode = dns.RcodeFormatError
	default:
		id, nets := n.view(t, src)
		if !n.answerLocal(id, nets, req.Question[0], m) {
			n.forward(w, req, t.forwarder(src, n.fwd))
			return
		}
	}
	writeReply(w, req, m)
}

// answerLocal fills m with what the name is to the endpoint id on nets (querier.go)
// and reports whether the name is local.
func (n *network) answerLocal(id string, nets []*network, q dns.Question, m *dns.Msg) bool {
	if q.Qclass != dns.ClassINET {
		return false
	}
	if q.Qtype == dns.TypePTR {
		return n.answerPTR(nets, q, m)
	}
	rs := resolve(id, nets, q.Name)
	if rs == nil {
		return false
	}
	m.Authoritative = true
	hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Ttl: n.ttl}
	if q.Qtype == dns.TypeA || q.Qtype == dns.TypeANY {
		hdr.Rrtype = dns.TypeA
		for _, a := range rs.rotated(rs.v4) {
			m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: a.AsSlice()})
		}
	}
	if q.Qtype == dns.TypeAAAA || q.Qtype == dns.TypeANY {
		hdr.Rrtype = dns.TypeAAAA
		for _, a := range rs.rotated(rs.v6) {
			m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr, AAAA: a.AsSlice()})
		}
	}
	// Any other type of an existing name, or a family it has no address in, is
	// NOERROR with no data, so resolvers do not conclude the name does not exist.
	return true
}

func (n *network) answerPTR(nets []*network, q dns.Question, m *dns.Msg) bool {
	a, ok := parseReverse(q.Name)
	if !ok {
		return false
	}
	name, ok := resolvePTR(nets, a)
	if !ok {
		return false
	}
	m.Authoritative = true
	m.Answer = append(m.Answer, &dns.PTR{
		Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: n.ttl},
		Ptr: name,
	})
	return true
}

// forwarder is the forwarder of queries from src: its endpoint's own, else def.
func (t *table) forwarder(src netip.Addr, def *forwarder) *forwarder {
	if f, ok := t.fwds[src]; ok {
		return f
	}
	return def
}

// forward sends a non-local query upstream through fwd, or refuses it on an internal
// network (Docker's CVE-2024-29018: internal networks must not reach outside, not even
// by DNS).
func (n *network) forward(w dns.ResponseWriter, req *dns.Msg, fwd *forwarder) {
	m := new(dns.Msg)
	m.SetReply(req)
	if n.internal {
		m.RecursionAvailable = false
		m.Rcode = dns.RcodeRefused
		writeReply(w, req, m)
		return
	}
	resp, err := fwd.exchange(req)
	if err != nil {
		m.RecursionAvailable = true
		m.Rcode = dns.RcodeServerFailure
		writeReply(w, req, m)
		return
	}
	writeReply(w, req, resp)
}

// writeReply sends m, truncated (with TC set) to what the client can take over UDP:
// its EDNS0 buffer size, or 512 bytes.
func writeReply(w dns.ResponseWriter, req, m *dns.Msg) {
	size := dns.MaxMsgSize
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		size = dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = max(int(opt.UDPSize()), dns.MinMsgSize)
			if m.IsEdns0() == nil {
				m.SetEdns0(opt.UDPSize(), false)
			}
		}
	}
	m.Truncate(size)
	_ = w.WriteMsg(m) // the client is gone or the socket closed; nothing to do
}

func remoteAddr(a net.Addr) netip.Addr {
	switch a := a.(type) {
	case *net.UDPAddr:
		return a.AddrPort().Addr().Unmap()
	case *net.TCPAddr:
		return a.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}
