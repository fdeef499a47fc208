package netdriver

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
)

// Options configures a Driver.
type Options struct {
	// StateDir holds state.json (IPAM allocations, bridge-name mapping, endpoints, ports) and
	// its lock file, e.g. $BERTH_ROOT/networks. Required.
	StateDir string
	// RuntimeDir is where CreateNetns bind-mounts namespaces, e.g. /run/berth/netns. Required.
	RuntimeDir string
	// Table is the nftables table (family ip) berth owns; default "berth".
	Table string
	// Pools are the subnets CreateNetwork allocates from; default DefaultPools().
	Pools []netip.Prefix
	// Pool6 is the IPv6 prefix (/48 to /64) whose /64s CreateNetwork allocates to IPv6
	// networks without a subnet; default DefaultPool6().
	Pool6 netip.Prefix
	// NamePrefix starts every bridge and host veth name (at most 6 bytes); default "berth".
	NamePrefix string
}

// NetworkOptions configures CreateNetwork. Zero Subnet means "allocate from the pools"; zero
// Gateway means the subnet's first host address. IPRange (ip_range), when set, is the part
// of the subnet Attach allocates addresses from; static addresses may lie anywhere in it.
type NetworkOptions struct {
	Subnet   netip.Prefix
	Gateway  netip.Addr
	IPRange  netip.Prefix
	Internal bool
	Labels   map[string]string
	// IPv6 makes the network dual-stack (enable_ipv6): Subnet6 (zero: a /64 of Pool6),
	// Gateway6 (zero: its ::1) on the bridge, IPRange6 as IPRange.
	IPv6     bool
	Subnet6  netip.Prefix
	Gateway6 netip.Addr
	IPRange6 netip.Prefix
}

// Network describes a created network.
type Network struct {
	Name    string
	Bridge  string
	Subnet  netip.Prefix
	Gateway netip.Addr
	// Subnet6 and Gateway6 are zero on a network without IPv6.
	Subnet6  netip.Prefix
	Gateway6 netip.Addr
	Internal bool
	Labels   map[string]string
	// Endpoints maps the netns path of each attached endpoint to its address: a
	// network with endpoints is in use. Endpoints6 maps them to their IPv6 addresses.
	Endpoints  map[string]netip.Addr
	Endpoints6 map[string]netip.Addr
}

// AttachOptions configures Attach. Zero IPv4 (IPv6, on an IPv6 network) means "allocate";
// nil MAC means MACFor the address; empty IfName means the lowest free ethN. LinkLocal
// addresses are added to the interface as host addresses (link_local_ips). Of the networks
// of a namespace that have a gateway (internal ones have none), the one with the highest
// GwPriority gives the default route of each address family; see Attach.
type AttachOptions struct {
	IPv4       netip.Addr
	IPv6       netip.Addr
	MAC        net.HardwareAddr
	IfName     string
	LinkLocal  []netip.Addr
	GwPriority int
}

// Endpoint is a container's interface on one network.
type Endpoint struct {
	// Key names the endpoint for PublishPorts and UnpublishPorts.
	Key     string
	IfName  string
	Address netip.Prefix
	Gateway netip.Addr
	// Address6 and Gateway6 are zero on a network without IPv6.
	Address6 netip.Prefix
	Gateway6 netip.Addr
}

// Driver manages berth's networks. Its methods are safe for concurrent use, also from several
// processes sharing StateDir (they serialise on a file lock).
type Driver struct {
	opts Options
	mu   sync.Mutex
}

// New validates opts, fills defaults and creates StateDir and RuntimeDir. It changes nothing
// in the kernel.
func New(opts Options) (*Driver, error) {
	if opts.StateDir == "" || opts.RuntimeDir == "" {
		return nil, fmt.Errorf("new network driver: StateDir and RuntimeDir are required: %w", ErrInvalid)
	}
	if opts.Table == "" {
		opts.Table = "berth"
	}
	if len(opts.Pools) == 0 {
		opts.Pools = DefaultPools()
	}
	if !opts.Pool6.IsValid() {
		opts.Pool6 = DefaultPool6()
	}
	if opts.NamePrefix == "" {
		opts.NamePrefix = "berth"
	}
	if len(opts.NamePrefix) > 6 {
		return nil, fmt.Errorf("new network driver: name prefix %q longer than 6 bytes: %w", opts.NamePrefix, ErrInvalid)
	}
	for _, dir := range []string{opts.StateDir, opts.RuntimeDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("new network driver: %w", err)
		}
	}
	return &Driver{opts: opts}, nil
}

// EndpointKey is the key Attach reports for the endpoint of nsPath on network.
func EndpointKey(network, nsPath string) string {
	return network + "|" + nsPath
}

func (n *netState) public() *Network {
	eps, eps6 := map[string]netip.Addr{}, map[string]netip.Addr{}
	for _, ep := range n.Endpoints {
		eps[ep.NsPath] = ep.Address
		if ep.Address6.IsValid() {
			eps6[ep.NsPath] = ep.Address6
		}
	}
	return &Network{Name: n.Name, Bridge: n.Bridge, Subnet: n.Subnet, Gateway: n.Gateway,
		Subnet6: n.Subnet6, Gateway6: n.Gateway6, Internal: n.Internal, Labels: n.Labels, Endpoints: eps, Endpoints6: eps6}
}
