package housekeep

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"sort"

	"github.com/berth-dev/berth/netdriver"
)

// Network is one network as housekeeping reports it.
type Network struct {
	// ID is a stable 64-hex ID derived from the name (berth's networks have none of
	// their own); Docker prints its first 12 digits.
	ID      string
	Name    string
	Bridge  string
	Subnet  netip.Prefix
	Gateway netip.Addr
	// Subnet6 and Gateway6 are zero on a network without IPv6.
	Subnet6  netip.Prefix
	Gateway6 netip.Addr
	Internal bool
	Labels   map[string]string
	// Containers are the attached containers by ID.
	Containers map[string]Endpoint
	// Project is the project recording the network ("" for none).
	Project string
}

// Endpoint is a container's attachment to a network.
type Endpoint struct {
	Name     string // the container's name ("" when the container is gone)
	Address  netip.Addr
	Address6 netip.Addr // zero on a network without IPv6
}

// Networks lists berth's networks, sorted by name.
func (s *Store) Networks() ([]*Network, error) {
	u, err := s.scan()
	if err != nil {
		return nil, err
	}
	return s.networks(u)
}

func (s *Store) networks(u *usage) ([]*Network, error) {
	nd, err := s.netdriver()
	if err != nil {
		return nil, err
	}
	list, err := nd.Networks()
	if err != nil {
		return nil, err
	}
	out := make([]*Network, 0, len(list))
	for _, n := range list {
		sum := sha256.Sum256([]byte(n.Name))
		net := &Network{ID: hex.EncodeToString(sum[:]), Name: n.Name, Bridge: n.Bridge, Subnet: n.Subnet,
			Gateway: n.Gateway, Subnet6: n.Subnet6, Gateway6: n.Gateway6, Internal: n.Internal, Labels: n.Labels, Containers: map[string]Endpoint{},
			Project: u.projectNetworks[n.Name]}
		for ns, addr := range n.Endpoints {
			c, ok := u.netns[ns]
			if !ok {
				c = container{ID: filepath.Base(ns)} // an endpoint whose container is gone
			}
			net.Containers[c.ID] = Endpoint{Name: c.Name, Address: addr, Address6: n.Endpoints6[ns]}
		}
		out = append(out, net)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Network describes the network named ref (its name, its ID or a unique ID prefix);
// an unknown one yields ErrNoSuchNetwork.
func (s *Store) Network(ref string) (*Network, error) {
	u, err := s.scan()
	if err != nil {
		return nil, err
	}
	return s.network(u, ref)
}

func (s *Store) network(u *usage, ref string) (*Network, error) {
	list, err := s.networks(u)
	if err != nil {
		return nil, err
	}
	var match *Network
	for _, n := range list {
		if n.Name == ref {
			return n, nil
		}
		if len(ref) >= 4 && len(ref) <= len(n.ID) && n.ID[:len(ref)] == ref {
			if match != nil {
				return nil, fmt.Errorf("network %s is ambiguous: %w", ref, ErrNoSuchNetwork)
			}
			match = n
		}
	}
	if match == nil {
		return nil, fmt.Errorf("network %s: %w", ref, ErrNoSuchNetwork)
	}
	return match, nil
}

// inUse says why n may not be removed: a container is attached, or a project records
// it (its `down` removes it; removing it sooner would leave the project's state
// naming a network that is gone). "" when it may go.
func (n *Network) inUse() string {
	if len(n.Containers) > 0 {
		return "has active endpoints"
	}
	if n.Project != "" {
		return fmt.Sprintf("belongs to project %q (berth -p %s down removes it)", n.Project, n.Project)
	}
	return ""
}

// RemoveNetwork removes the network ref: its bridge, its rules and its allocations.
// A network in use (see Network) is refused with ErrInUse, an unknown one yields
// ErrNoSuchNetwork. It returns the network's name.
func (s *Store) RemoveNetwork(ctx context.Context, ref string) (string, error) {
	u, err := s.scanForRemoval()
	if err != nil {
		return "", err
	}
	n, err := s.network(u, ref)
	if err != nil {
		return "", err
	}
	if why := n.inUse(); why != "" {
		return "", fmt.Errorf("error while removing network: network %s is %w: it %s", n.Name, ErrInUse, why)
	}
	return n.Name, s.deleteNetwork(ctx, n.Name)
}

func (s *Store) deleteNetwork(ctx context.Context, name string) error {
	nd, err := s.netdriver()
	if err != nil {
		return err
	}
	return nd.DeleteNetwork(ctx, name)
}

// PruneNetworks removes every network not in use (see Network), as `docker network
// prune`: in practice the leftovers of projects whose state is gone. Only networks f
// accepts (label=) go.
func (s *Store) PruneNetworks(ctx context.Context, f Filter) (PruneReport, error) {
	var rep PruneReport
	u, err := s.scanForRemoval()
	if err != nil {
		return rep, err
	}
	list, err := s.networks(u)
	if err != nil {
		return rep, err
	}
	for _, n := range list {
		if n.inUse() != "" || !f.Network(n) {
			continue
		}
		if err := s.deleteNetwork(ctx, n.Name); err != nil && !errors.Is(err, netdriver.ErrNotFound) {
			return rep, err
		}
		rep.Deleted = append(rep.Deleted, n.Name)
	}
	return rep, nil
}
