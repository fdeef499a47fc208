package supervisor

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"github.com/berth-dev/berth/dnsserver"
	"github.com/berth-dev/berth/project/internal/state"
)

// The DNS records a supervisor holds, from every project's state:
//
//	project a (made network "shared")          project b (shared is external)
//	supervisor a: serves a_default, shared      supervisor b: serves b_default
//	              peer: b_default (*)                         peer: shared
//	(*) when a container of b is on shared and on b_default
//
// A supervisor serves (listens on the gateway of) the networks its project made, and
// answers there every container on them, of any project: an external network is
// served by the supervisor of the project that made it. It also holds, as peer
// networks (records without listeners), every other network a container of a served
// network is on: a container resolves the names of all its networks, whichever one its
// query arrives on (dnsserver's querier view). Records are the containers of every
// project with an address on a held network, so names cross projects exactly where
// networks do.
//
// Every sync reads all projects' states. A sync asked by a command (ReqSync) then asks
// the supervisors of the projects that share a network with this one to refresh
// (ReqRefresh: read the states again, records only, asking nobody further), so that a
// container of b is a known querier and a name on a's listener before it starts.

// heldNet is a network whose records the supervisor holds, with its endpoint IDs.
type heldNet struct {
	peer bool // records only (dnsserver.AddPeerNetwork)
	ids  map[string]bool
}

// syncRecords makes the held networks and their endpoints match st (this project's
// state) and others (every other project's). s.mu is held.
func (s *supervisor) syncRecords(ctx context.Context, st *state.State, others []*state.State) error {
	all := append([]*state.State{st}, others...)
	served := map[string]state.NetworkState{}
	for _, n := range st.Networks {
		if !n.External && n.Gateway != "" {
			served[n.Name] = n
		}
	}
	peers := peerNetworks(all, served)
	for name, h := range s.networks {
		_, isServed := served[name]
		_, isPeer := peers[name]
		if (h.peer && !isPeer) || (!h.peer && !isServed) {
			s.dns.RemoveNetwork(name)
			delete(s.networks, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(served)) {
		if err := s.ensureNetwork(ctx, served[name]); err != nil {
			return err
		}
	}
	for name, internal := range peers {
		if _, ok := s.networks[name]; ok {
			continue
		}
		if err := s.dns.AddPeerNetwork(name, internal); err != nil {
			return fmt.Errorf("dns records of network %q: %w", name, err)
		}
		s.networks[name] = &heldNet{peer: true, ids: map[string]bool{}}
	}
	return s.syncEndpoints(all)
}

// peerNetworks are the networks, not served, that a container with an address on a
// served network is also on, each with whether it is internal.
func peerNetworks(all []*state.State, served map[string]state.NetworkState) map[string]bool {
	internal := map[string]bool{}
	for _, st := range all {
		for _, n := range st.Networks {
			internal[n.Name] = internal[n.Name] || n.Internal
		}
	}
	peers := map[string]bool{}
	for _, st := range all {
		for _, c := range st.Containers {
			if !onAny(c, served) {
				continue
			}
			for name := range c.Addresses {
				if _, ok := served[name]; !ok {
					peers[name] = internal[name]
				}
			}
		}
	}
	return peers
}

func onAny(c *state.ContainerState, nets map[string]state.NetworkState) bool {
	for name := range c.Addresses {
		if _, ok := nets[name]; ok {
			return true
		}
	}
	return false
}

func (s *supervisor) ensureNetwork(ctx context.Context, n state.NetworkState) error {
	if _, ok := s.networks[n.Name]; ok {
		return nil
	}
	gw, err := netip.ParseAddr(n.Gateway)
	if err != nil {
		return fmt.Errorf("network %q: gateway %q: %w", n.Name, n.Gateway, state.ErrInvalid)
	}
	port, err := s.dns.AddNetwork(n.Name, gw, n.Internal)
	if err != nil {
		return fmt.Errorf("dns for network %q: %w", n.Name, err)
	}
	if port == 53 {
		port = 0 // no redirect needed; clear one a previous supervisor left
	}
	if err := s.nd.RedirectDNS(ctx, n.Name, port); err != nil {
		s.dns.RemoveNetwork(n.Name)
		return fmt.Errorf("dns for network %q: %w", n.Name, err)
	}
	s.networks[n.Name] = &heldNet{ids: map[string]bool{}}
	return nil
}

// syncEndpoints sets an endpoint for each container of all with an address on a held
// network, and removes the endpoints of the others. s.mu is held.
func (s *supervisor) syncEndpoints(all []*state.State) error {
	seen := map[string]map[string]bool{}
	for _, st := range all {
		for _, c := range st.Containers {
			for netName, addr := range c.Addresses {
				if _, ok := s.networks[netName]; !ok {
					continue
				}
				a, err := netip.ParseAddr(addr)
				if err != nil {
					continue
				}
				ep := endpoint(st.Name, c, netName, a)
				if err := s.dns.SetEndpoint(netName, ep); err != nil {
					return fmt.Errorf("dns record of %s: %w", state.Describe(c), err)
				}
				if seen[netName] == nil {
					seen[netName] = map[string]bool{}
				}
				seen[netName][c.ID] = true
				// Its IPv6 address answers AAAA (and PTR) for the same names.
				if a6, err := netip.ParseAddr(c.Addresses6[netName]); err == nil {
					ep.ID, ep.Addr = c.ID+"/ipv6", a6
					if err := s.dns.SetEndpoint(netName, ep); err != nil {
						return fmt.Errorf("dns record of %s: %w", state.Describe(c), err)
					}
					seen[netName][ep.ID] = true
				}
			}
		}
	}
	for netName, h := range s.networks {
		for id := range h.ids {
			if !seen[netName][id] {
				s.dns.RemoveEndpoint(netName, id)
			}
		}
		h.ids = seen[netName]
		if h.ids == nil {
			h.ids = map[string]bool{}
		}
	}
	return nil
}

// endpoint is container c of project on the network netName, at address a, as the DNS
// sees it; its names are also answered under its project's name ("web.<project>.").
func endpoint(project string, c *state.ContainerState, netName string, a netip.Addr) dnsserver.Endpoint {
	ep := dnsserver.Endpoint{ID: c.ID, Addr: a, Service: c.Service, ContainerName: c.Name, Domain: project,
		Hostname: c.Hostname, Aliases: c.AliasesOn(netName), Links: c.Links, Upstreams: dnsUpstreams(c.DNS)}
	if c.Oneoff() {
		ep.Service = "" // as Compose's run without --use-aliases: only its own names
	}
	return ep
}
