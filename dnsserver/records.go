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
	// Domain, when set, is the one extra domain its names are also answered under (for
	// example its project's name), instead of the server's Options.Suffixes.
	Domain string
	// Upstreams, when set, are the resolvers the non-local names this endpoint asks for
	// are forwarded to instead of the server's (a container's dns: servers, as Docker's
	// embedded DNS forwards to them).
	Upstreams []netip.AddrPort
	// Links map names that only this endpoint resolves, on this network, to the name
	// of their target there (Compose's links and external_links, as Docker's
	// endpoint aliases on user-defined networks): a link is looked up before the
	// network's own names, and shadows them for this endpoint.
	Links map[string]string
}

// rrset holds the addresses of one name; next rotates the answer order per query.
type rrset struct {
	v4, v6 []netip.Addr
	next   atomic.Uint32
}

// table is an immutable snapshot of one network's records. It is built whole on every
// update and swapped in atomically; queries read it without locking.
type table struct {
	names map[string]*rrset     // lower-case FQDN ("web.", "web.proj_default.")
	ptr   map[netip.Addr]string // address -> FQDN of the container
	// ids maps every endpoint address, all allowed to query, to its endpoint's ID.
	ids map[netip.Addr]string
	// sources are the endpoint addresses whose queries this table answers as it is
	// (UDP's fast path): those of endpoints on no other network of the server and
	// without links. The others are answered by ServeDNS from the querier's view.
	sources map[netip.Addr]bool
	// links are the links of each endpoint: lower-case FQDN -> target's FQDN.
	links map[string]map[string]string
	// fwds are the forwarders of endpoints with upstreams of their own, by address;
	// set by the network (withForwarders), nil otherwise.
	fwds map[netip.Addr]*forwarder
}

// buildTable makes the table of a network called netName from its endpoints. suffixes
// are extra domains under which every name is also answered. shared are the IDs of
// endpoints that are also on other networks of the server.
func buildTable(netName string, suffixes []string, eps map[string]Endpoint, shared map[string]bool) *table {
	t := &table{
		names:   make(map[string]*rrset),
		ptr:     make(map[netip.Addr]string),
		ids:     make(map[netip.Addr]string),
		sources: make(map[netip.Addr]bool),
		links:   make(map[string]map[string]string),
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
		ds := domains
		if ep.Domain != "" {
			ds = []string{"", "." + strings.ToLower(netName), "." + strings.ToLower(strings.Trim(ep.Domain, "."))}
		}
		t.ids[ep.Addr] = id
		t.sources[ep.Addr] = !shared[id] && len(ep.Links) == 0
		for alias, target := range ep.Links {
			if t.links[id] == nil {
				t.links[id] = make(map[string]string)
			}
			t.links[id][fqdn(alias)] = fqdn(target)
		}
		if ep.ContainerName != "" {
			t.ptr[ep.Addr] = strings.ToLower(ep.ContainerName) + "." + strings.ToLower(netName) + "."
		}
		for _, name := range endpointNames(ep) {
			for _, d := range ds {
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

// fqdn is name in lower case with one trailing dot.
func fqdn(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, ".")) + "."
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
