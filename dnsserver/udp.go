package dnsserver

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"

	"github.com/miekg/dns"
)

// batchSize is how many datagrams one recvmmsg/sendmmsg call moves at most.
const batchSize = 32

// udpBufSize bounds a UDP query and a fast-path answer (EDNS0 buffers above it are
// treated as this size).
const udpBufSize = 4096

// serveUDP reads queries from one UDP socket until it is closed, up to batchSize per
// system call (mmsgConn). A plain A or AAAA query for a local name is answered in this
// goroutine from raw bytes, without allocating (fastAnswer), and the answers of one
// batch go out in one system call; anything else (PTR, forwarding, errors) goes through
// ServeDNS in a goroutine of its own, because forwarding may block for seconds.
func (n *network) serveUDP(pc *net.UDPConn) {
	c, err := newMmsgConn(pc, batchSize, udpBufSize)
	if err != nil {
		return // not a socket (cannot happen for a *net.UDPConn of listen)
	}
	for {
		k, err := c.read()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		t := n.table.Load()
		m := 0
		for i := range k {
			pkt, from := c.packet(i)
			if !from.IsValid() {
				continue
			}
			if resp, ok := n.fastAnswer(t, pkt, from.Addr(), c.outBuf[m]); ok {
				c.reply(m, i, resp)
				m++
				continue
			}
			n.serveSlow(pc, from, pkt)
		}
		c.write(m)
	}
}

// serveSlow handles a UDP query off the fast path, in its own goroutine.
func (n *network) serveSlow(pc *net.UDPConn, from netip.AddrPort, pkt []byte) {
	req := new(dns.Msg)
	if err := req.Unpack(pkt); err != nil || req.Response {
		return // not a query we can parse: drop it, like miekg/dns's server does
	}
	select {
	case n.slowSlots <- struct{}{}:
		go func() {
			defer func() { <-n.slowSlots }()
			n.ServeDNS(&udpWriter{pc: pc, to: from}, req)
		}()
	default:
		// maxSlowQueries are being forwarded already: drop the query (the client
		// retries) rather than grow without bound when upstreams are slow.
	}
}

// maxSlowQueries bounds the UDP queries of one network handled off the fast path at once.
const maxSlowQueries = 1024

// fastAnswer answers a query for the A or AAAA records of a local name into out. It
// handles one question of class IN, optionally with an EDNS0 OPT record, from an
// allowed source, for a name of plain lower- or upper-case letters, digits, '-' and '_';
// it returns false for everything else, which the slow path then handles.
func (n *network) fastAnswer(t *table, q []byte, src netip.Addr, out []byte) ([]byte, bool) {
	if len(q) < 17 || q[2]&0xF8 != 0 || binary.BigEndian.Uint16(q[4:]) != 1 ||
		binary.BigEndian.Uint32(q[6:]) != 0 || binary.BigEndian.Uint16(q[10:]) > 1 {
		return nil, false // a response, an opcode other than QUERY, or odd counts
	}
	if !t.sources[src] && src != n.gateway {
		return nil, false
	}
	var nameBuf [256]byte
	name := nameBuf[:0]
	i := 12
	for {
		if i >= len(q) {
			return nil, false
		}
		l := int(q[i])
		if l == 0 {
			i++
			break
		}
		if l > 63 || i+1+l > len(q) || len(name)+l+1 > 254 {
			return nil, false
		}
		for _, c := range q[i+1 : i+1+l] {
			switch {
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			default:
				return nil, false
			}
			name = append(name, c)
		}
		name = append(name, '.')
		i += 1 + l
	}
	if i+4 > len(q) || len(name) == 0 {
		return nil, false
	}
	qtype, qclass := binary.BigEndian.Uint16(q[i:]), binary.BigEndian.Uint16(q[i+2:])
	qEnd := i + 4
	if (qtype != dns.TypeA && qtype != dns.TypeAAAA) || qclass != dns.ClassINET {
		return nil, false
	}
	limit, hasOPT, ok := parseOPT(q, qEnd)
	if !ok {
		return nil, false
	}
	rs := t.names[string(name)] // no allocation: the compiler looks up without copying
	if rs == nil {
		return nil, false
	}
	return n.writeAnswer(rs, q[:qEnd], qtype, limit, hasOPT, out), true
}

// parseOPT reads what follows the question: nothing (limit 512) or one EDNS0 OPT
// record, whose UDP size is the limit.
func parseOPT(q []byte, off int) (limit int, hasOPT, ok bool) {
	if binary.BigEndian.Uint16(q[10:]) == 0 {
		return dns.MinMsgSize, false, off == len(q)
	}
	// root name, TYPE OPT, CLASS = UDP size, TTL, RDLENGTH (options are ignored)
	if off+11 > len(q) || q[off] != 0 || binary.BigEndian.Uint16(q[off+1:]) != dns.TypeOPT {
		return 0, false, false
	}
	if off+11+int(binary.BigEndian.Uint16(q[off+9:])) != len(q) || q[off+5] != 0 {
		return 0, false, false // trailing bytes, or an EDNS version other than 0
	}
	return max(int(binary.BigEndian.Uint16(q[off+3:])), dns.MinMsgSize), true, true
}

// writeAnswer writes the response to the query whose header and question are qq: as
// many rotated records as fit in limit bytes, with TC set if some did not.
func (n *network) writeAnswer(rs *rrset, qq []byte, qtype uint16, limit int, hasOPT bool, out []byte) []byte {
	addrs, rdlen := rs.v4, 4
	if qtype == dns.TypeAAAA {
		addrs, rdlen = rs.v6, 16
	}
	limit = min(limit, len(out))
	const optLen = 11
	room := limit - len(qq)
	if hasOPT {
		room -= optLen
	}
	count := min(len(addrs), room/(12+rdlen))
	b := append(out[:0], qq...)
	b[2] = 0x84 | qq[2]&0x01 // QR, AA, RD copied from the query
	b[3] = 0
	if !n.internal {
		b[3] = 0x80 // RA
	}
	if count < len(addrs) {
		b[2] |= 0x02 // TC
	}
	binary.BigEndian.PutUint16(b[6:], uint16(count))
	binary.BigEndian.PutUint16(b[10:], 0)
	start := 0
	if len(addrs) > 1 {
		start = int(rs.next.Add(1)-1) % len(addrs)
	}
	for k := range count {
		a := addrs[(start+k)%len(addrs)]
		b = append(b, 0xC0, 12) // pointer to the question name
		b = binary.BigEndian.AppendUint16(b, qtype)
		b = binary.BigEndian.AppendUint16(b, dns.ClassINET)
		b = binary.BigEndian.AppendUint32(b, n.ttl)
		b = binary.BigEndian.AppendUint16(b, uint16(rdlen))
		if rdlen == 4 {
			a4 := a.As4()
			b = append(b, a4[:]...)
		} else {
			a16 := a.As16()
			b = append(b, a16[:]...)
		}
	}
	if hasOPT {
		binary.BigEndian.PutUint16(b[10:], 1)
		b = append(b, 0, 0, byte(dns.TypeOPT), byte(dns.DefaultMsgSize>>8), byte(dns.DefaultMsgSize&0xff), 0, 0, 0, 0, 0, 0)
	}
	return b
}

// udpWriter is the dns.ResponseWriter of a query handled on the slow path.
type udpWriter struct {
	pc *net.UDPConn
	to netip.AddrPort
}

func (w *udpWriter) LocalAddr() net.Addr  { return w.pc.LocalAddr() }
func (w *udpWriter) RemoteAddr() net.Addr { return net.UDPAddrFromAddrPort(w.to) }
func (w *udpWriter) WriteMsg(m *dns.Msg) error {
	b, err := m.Pack()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
func (w *udpWriter) Write(b []byte) (int, error) { return w.pc.WriteToUDPAddrPort(b, w.to) }
func (w *udpWriter) Close() error                { return nil }
func (w *udpWriter) TsigStatus() error           { return nil }
func (w *udpWriter) TsigTimersOnly(bool)         {}
func (w *udpWriter) Hijack()                     {}
