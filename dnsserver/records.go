package dnsserver

import (
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
)

// Endpoint is one container's presence on a network, as the DNS server sees it.
type Endpoint struct {
	// ID identifies the endpoint on its network (for example the container ID).
	ID string
	// Addr is the container's address on the network (IPv4 answers A, IPv6 answers AAAA).
	Addr netip.Addr
	// Service is the Compose service name; all endpoints of a service are answered together.
	Service string
	// ContainerName is the container's name; PTR queries for Addr answer it.
	ContainerName string
	// Hostname is the container's hostname; empty means none.
	Hostname string
	// Aliases are the container's network aliases.
	Aliases []string
	// Upstreams, when set, are the resolvers the non-local names this endpoint asks for
	// are forwarded to instead of the server's (a container's dns: servers, as Docker's
	// embedded DNS forwards to them).
	Upstreams []netip.AddrPort
}

// rrset holds the addresses of one name; next rotates the answer order per query.
type rrset struct {
	v4, v6 []netip.Addr
	next   atomic.Uint32
}

// table is an immutable snapshot of one network's records. It is built whole on every
// update and swapped in atomically; queries read it without locking.
type table struct {
	names   map[string]*rrset     // lower-case FQDN ("web.", "web.proj_default.")
	ptr     map[netip.Addr]string // address -> FQDN of the container
	sources map[netip.Addr]bool   // endpoint addresses allowed to query
	// fwds are the forwarders of endpoints with upstreams of their own, by address;
	// set by the network (withForwarders), nil otherwise.
	fwds map[netip.Addr]*forwarder
}

// buildTable makes the table of a network called netName from its endpoints. suffixes
// are extra domains under which every name is also answered.
func buildTable(netName string, suffixes []string, eps map[string]Endpoint) *table {
	t := &table{
		names:   make(map[string]*rrset),
		ptr:     make(map[netip.Addr]string),
		sources: make(map[netip.Addr]bool),
	}
	ids := make([]string, 0, len(eps))
	for id := range eps {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	domains := append([]string{""}, "."+strings.ToLower(netName))
	for _, s := range suffixes {
		domains = append(domains, "."+strings.ToLower(strings.Trim(s, ".")))
	}
	for _, id := range ids {
		ep := eps[id]
		t.sources[ep.Addr] = true
		if ep.ContainerName != "" {
			t.ptr[ep.Addr] = strings.ToLower(ep.ContainerName) + "." + strings.ToLower(netName) + "."
		}
		for _, name := range endpointNames(ep) {
			for _, d := range domains {
				t.add(name+d+".", ep.Addr)
			}
		}
	}
	return t
}

// endpointNames lists the distinct, lower-case, non-empty names of ep.
func endpointNames(ep Endpoint) []string {
	all := append([]string{ep.Service, ep.ContainerName, ep.Hostname}, ep.Aliases...)
	var out []string
	for _, n := range all {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func (t *table) add(fqdn string, a netip.Addr) {
	rs := t.names[fqdn]
	if rs == nil {
		rs = &rrset{}
		t.names[fqdn] = rs
	}
	if a.Is4() {
		if !slices.Contains(rs.v4, a) {
			rs.v4 = append(rs.v4, a)
		}
	} else if !slices.Contains(rs.v6, a) {
		rs.v6 = append(rs.v6, a)
	}
}

// lookup returns the rrset of a query name, matching case-insensitively.
func (t *table) lookup(qname string) *rrset {
	if rs, ok := t.names[qname]; ok {
		return rs
	}
	return t.names[strings.ToLower(qname)]
}

// rotated returns addrs starting at a position that advances on every call.
func (rs *rrset) rotated(addrs []netip.Addr) []netip.Addr {
	n := len(addrs)
	if n <= 1 {
		return addrs
	}
	start := int(rs.next.Add(1)-1) % n
	out := make([]netip.Addr, 0, n)
	out = append(out, addrs[start:]...)
	return append(out, addrs[:start]...)
}
