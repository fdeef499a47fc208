package dnsserver

import (
	"errors"
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// upstream is one resolver and the time until which it counts as dead.
type upstream struct {
	addr      string
	deadUntil atomic.Int64 // unix nanoseconds; 0 or past means alive
}

// forwarder sends queries to upstreams. Upstreams that failed recently are tried only
// after every live one failed, so a dead resolver does not add its timeout to every
// query (moby#20335), yet is still used when it is the only hope. Safe for concurrent use.
type forwarder struct {
	ups     []*upstream
	udp     *dns.Client
	tcp     *dns.Client
	deadFor time.Duration
}

var (
	errNoUpstream    = errors.New("no upstream resolver answered")
	errUpstreamRcode = errors.New("upstream failed the query")
)

func newForwarder(addrs []netip.AddrPort, timeout, deadFor time.Duration) *forwarder {
	f := &forwarder{
		udp:     &dns.Client{Net: "udp", Timeout: timeout, UDPSize: dns.DefaultMsgSize},
		tcp:     &dns.Client{Net: "tcp", Timeout: timeout},
		deadFor: deadFor,
	}
	for _, a := range addrs {
		f.ups = append(f.ups, &upstream{addr: a.String()})
	}
	return f
}

// order returns the upstreams to try: live ones first, in configured order, then dead ones.
func (f *forwarder) order(now int64) []*upstream {
	out := make([]*upstream, 0, len(f.ups))
	for _, u := range f.ups {
		if u.deadUntil.Load() <= now {
			out = append(out, u)
		}
	}
	for _, u := range f.ups {
		if u.deadUntil.Load() > now {
			out = append(out, u)
		}
	}
	return out
}

// exchange forwards req and returns the first upstream answer, with req's ID. It
// retries over TCP when a UDP answer is truncated. It returns an error only when every
// upstream failed.
func (f *forwarder) exchange(req *dns.Msg) (*dns.Msg, error) {
	q := req.Copy()
	q.Id = dns.Id()
	if q.IsEdns0() == nil {
		q.SetEdns0(dns.DefaultMsgSize, false)
	}
	var lastErr error = errNoUpstream
	for _, u := range f.order(time.Now().UnixNano()) {
		resp, err := f.exchangeOne(q, u.addr)
		if err != nil {
			if !errors.Is(err, errUpstreamRcode) {
				u.deadUntil.Store(time.Now().Add(f.deadFor).UnixNano())
			}
			lastErr = fmt.Errorf("forward to %s: %w", u.addr, err)
			continue
		}
		u.deadUntil.Store(0)
		resp.Id = req.Id
		if req.IsEdns0() == nil {
			stripOPT(resp)
		}
		return resp, nil
	}
	return nil, lastErr
}

func (f *forwarder) exchangeOne(q *dns.Msg, addr string) (*dns.Msg, error) {
	resp, _, err := f.udp.Exchange(q, addr)
	if err == nil && resp.Truncated {
		resp, _, err = f.tcp.Exchange(q, addr)
	}
	if err != nil {
		return nil, err
	}
	if resp.Rcode == dns.RcodeServerFailure || resp.Rcode == dns.RcodeRefused {
		return nil, fmt.Errorf("answered %s: %w", dns.RcodeToString[resp.Rcode], errUpstreamRcode)
	}
	return resp, nil
}

// stripOPT removes the EDNS0 record berth added to a query the client sent without one.
func stripOPT(m *dns.Msg) {
	extra := m.Extra[:0]
	for _, rr := range m.Extra {
		if rr.Header().Rrtype != dns.TypeOPT {
			extra = append(extra, rr)
		}
	}
	m.Extra = extra
}
