package apply

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
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
// returns the addresses (IPv4, then IPv6 on a dual-stack network, network by network)
// and the gateway of the first network (none without networks). mu guards c and t.St:
// the containers of a level are made in parallel.
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
	for i, n := range nets {
		mu.Lock()
		full := t.St.Networks[n].Name
		mu.Unlock()
		opts, err := AttachOptions(svc, n, i == 0)
		if err != nil {
			return nil, netip.Addr{}, err
		}
		ep, err := nd.Attach(ctx, ns, full, opts)
		if err != nil {
			return nil, netip.Addr{}, fmt.Errorf("attach to network %q: %w", full, err)
		}
		mu.Lock()
		c.Addresses[full] = ep.Address.Addr().String()
		if ep.Address6.IsValid() {
			if c.Addresses6 == nil {
				c.Addresses6 = map[string]string{}
			}
			c.Addresses6[full] = ep.Address6.Addr().String()
		}
		mu.Unlock()
		addrs = append(addrs, ep.Address.Addr())
		if ep.Address6.IsValid() {
			addrs = append(addrs, ep.Address6.Addr())
		}
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

// AttachOptions are the driver's options for svc's attachment to network n (a key of
// the project's networks): its ipv4_address and ipv6_address, mac_address (on the
// primary network, the service's mac_address when the attachment sets none, as
// Compose), interface_name, link_local_ips and gw_priority. Errors wrap
// state.ErrInvalid.
func AttachOptions(svc compose.ServiceConfig, n string, primary bool) (netdriver.AttachOptions, error) {
	var opts netdriver.AttachOptions
	sn := svc.Networks[n]
	if sn == nil {
		sn = &compose.ServiceNetworkConfig{}
	}
	field := func(key string) string { return fmt.Sprintf("services.%s.networks.%s.%s", svc.Name, n, key) }
	var err error
	if sn.Ipv4Address != "" {
		if opts.IPv4, err = netip.ParseAddr(sn.Ipv4Address); err != nil || !opts.IPv4.Is4() {
			return opts, fmt.Errorf("%s: %q is not an IPv4 address: %w", field("ipv4_address"), sn.Ipv4Address, state.ErrInvalid)
		}
	}
	if sn.Ipv6Address != "" {
		if opts.IPv6, err = netip.ParseAddr(sn.Ipv6Address); err != nil || !opts.IPv6.Is6() {
			return opts, fmt.Errorf("%s: %q is not an IPv6 address: %w", field("ipv6_address"), sn.Ipv6Address, state.ErrInvalid)
		}
	}
	mac := sn.MacAddress
	if primary && svc.MacAddress != "" {
		if mac != "" && !strings.EqualFold(mac, svc.MacAddress) {
			return opts, fmt.Errorf("services.%s.mac_address: the service-level mac_address should have the same value as network %s: %w",
				svc.Name, n, state.ErrInvalid)
		}
		mac = svc.MacAddress
	}
	if mac != "" {
		if opts.MAC, err = net.ParseMAC(mac); err != nil || len(opts.MAC) != 6 {
			return opts, fmt.Errorf("%s: %q is not a valid mac address: %w", field("mac_address"), mac, state.ErrInvalid)
		}
	}
	for _, s := range sn.LinkLocalIPs {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return opts, fmt.Errorf("%s: %q is not an IP address: %w", field("link_local_ips"), s, state.ErrInvalid)
		}
		opts.LinkLocal = append(opts.LinkLocal, a)
	}
	opts.IfName, opts.GwPriority = sn.InterfaceName, sn.GatewayPriority
	return opts, nil
}
