package dnsserver

import (
	"cmp"
	"maps"
	"net/netip"
	"slices"
)

// A container may be on several networks of a server, and its links are its own: as
// Docker's embedded DNS, the names a container resolves are those of every network it
// is on, whichever network's listener its query arrives on, and its links first:
//
//	query from src on network n
//	  -> the querier's endpoint ID (n's table, by address)
//	  -> its networks, in lookup order (the server's index)
//	  -> 1. a link of the querier on one of them, to its target's addresses there
//	     2. the name on the first of them that holds it
//
// The lookup order is Docker's: networks that are not internal first, then by name.
// A name resolves only to the addresses its target has on a network it shares with the
// querier; an alias is a name of its own network only.

// lookupOrder orders networks as a querier looks names up in them.
func lookupOrder(a, b *network) int {
	if a.internal != b.internal {
		if b.internal {
			return -1
		}
		return 1
	}
	return cmp.Compare(a.name, b.name)
}

// reindex recomputes the networks each endpoint is on, and rebuilds the table of
// changed (nil: none) and of every network whose shared endpoints changed. s.recMu is
// held.
func (s *Server) reindex(changed *network) {
	s.mu.Lock()
	nets := slices.Collect(maps.Values(s.nets))
	s.mu.Unlock()
	slices.SortFunc(nets, lookupOrder)
	idx := map[string][]*network{}
	for _, n := range nets {
		for id := range n.eps {
			idx[id] = append(idx[id], n)
		}
	}
	for _, n := range nets {
		shared := map[string]bool{}
		for id := range n.eps {
			if len(idx[id]) > 1 {
				shared[id] = true
			}
		}
		if n == changed || !maps.Equal(shared, n.shared) {
			n.shared = shared
			n.rebuild()
		}
	}
	s.index.Store(&idx)
}

// view returns the querier's endpoint ID (empty for the gateway) and the networks whose
// names it resolves, in lookup order. t is n's table.
func (n *network) view(t *table, src netip.Addr) (string, []*network) {
	id, ok := t.ids[src]
	if !ok {
		return "", []*network{n}
	}
	if idx := n.srv.index.Load(); idx != nil {
		if nets := (*idx)[id]; len(nets) > 0 {
			return id, nets
		}
	}
	return id, []*network{n} // set on n but not yet indexed
}

// resolve returns the addresses qname stands for to the endpoint id on nets, or nil.
func resolve(id string, nets []*network, qname string) *rrset {
	name := fqdn(qname)
	for _, n := range nets {
		t := n.table.Load()
		if target, ok := t.links[id][name]; ok {
			if rs := t.names[target]; rs != nil {
				return rs
			}
		}
	}
	for _, n := range nets {
		t := n.table.Load()
		if _, ok := t.links[id][name]; ok {
			continue
		}
		if rs := t.names[name]; rs != nil {
			return rs
		}
	}
	return nil
}

// resolvePTR returns the container name of address a on the first of nets that has it.
func resolvePTR(nets []*network, a netip.Addr) (string, bool) {
	for _, n := range nets {
		if name, ok := n.table.Load().ptr[a]; ok {
			return name, true
		}
	}
	return "", false
}
