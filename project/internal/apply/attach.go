package apply

import (
	"context"
	"fmt"
	"net/netip"
	"sync"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/netdriver"
	"github.com/berth-dev/berth/project/internal/plan"
	"github.com/berth-dev/berth/project/internal/spec"
	"github.com/berth-dev/berth/project/internal/state"
)

// Attacher is what Attach needs of the network driver (*netdriver.Driver).
type Attacher interface {
	CreateNetns(id string) (string, error)
	Attach(ctx context.Context, nsPath, network string, opts netdriver.AttachOptions) (*netdriver.Endpoint, error)
	PublishPorts(ctx context.Context, key string, ports []netdriver.PortMapping) ([]netdriver.PortMapping, error)
}

// Attach gives container c of svc its network namespace (recorded in c as soon as the
// driver made it), attaches it to svc's networks, highest priority first, and publishes
// its ports on the first; its addresses and ports are recorded in c and saved. It
// returns the addresses and the gateway of the first network (none without networks).
// mu guards c and t.St: the containers of a level are made in parallel.
func Attach(ctx context.Context, t Target, mu sync.Locker, nd Attacher, c *state.ContainerState, svc compose.ServiceConfig) ([]netip.Addr, netip.Addr, error) {
	nets := plan.ServiceNetworks(svc)
	if len(nets) == 0 {
		return nil, netip.Addr{}, nil
	}
	ns, err := nd.CreateNetns(c.ID)
	if err != nil {
		return nil, netip.Addr{}, err
	}
	mu.Lock()
	c.NetNS = ns // recorded with the container; until then Down finds it by ID
	mu.Unlock()
	var addrs []netip.Addr
	var first *netdriver.Endpoint
	for _, n := range nets {
		mu.Lock()
		full := t.St.Networks[n].Name
		mu.Unlock()
		var opts netdriver.AttachOptions
		if sn := svc.Networks[n]; sn != nil && sn.Ipv4Address != "" {
			if opts.IPv4, err = netip.ParseAddr(sn.Ipv4Address); err != nil {
				return nil, netip.Addr{}, fmt.Errorf("ipv4_address %q: %w", sn.Ipv4Address, state.ErrInvalid)
			}
		}
		ep, err := nd.Attach(ctx, ns, full, opts)
		if err != nil {
			return nil, netip.Addr{}, fmt.Errorf("attach to network %q: %w", full, err)
		}
		mu.Lock()
		c.Addresses[full] = ep.Address.Addr().String()
		mu.Unlock()
		addrs = append(addrs, ep.Address.Addr())
		if first == nil {
			first = ep
		}
	}
	pms := spec.PortMappings(svc)
	if len(pms) == 0 {
		return addrs, first.Gateway, nil
	}
	got, err := nd.PublishPorts(ctx, first.Key, pms)
	if err != nil {
		return nil, netip.Addr{}, err
	}
	mu.Lock()
	for _, pm := range got {
		ps := state.PortState{HostPort: pm.HostPort, ContainerPort: pm.ContainerPort, Protocol: pm.Protocol}
		if pm.HostIP.IsValid() {
			ps.HostIP = pm.HostIP.String()
		}
		c.Ports = append(c.Ports, ps)
	}
	mu.Unlock()
	return addrs, first.Gateway, t.Save()
}
