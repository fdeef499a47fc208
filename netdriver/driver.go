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
	// NamePrefix starts every bridge and host veth name (at most 6 bytes); default "berth".
	NamePrefix string
}

// NetworkOptions configures CreateNetwork. Zero Subnet means "allocate from the pools"; zero
// Gateway means the subnet's first host address.
type NetworkOptions struct {
	Subnet   netip.Prefix
	Gateway  netip.Addr
	Internal bool
	Labels   map[string]string
}

// Network describes a created network.
type Network struct {
	Name     string
	Bridge   string
	Subnet   netip.Prefix
	Gateway  netip.Addr
	Internal bool
	Labels   map[string]string
	// Endpoints maps the netns path of each attached endpoint to its address: a
	// network with endpoints is in use.
	Endpoints map[string]netip.Addr
}

// AttachOptions configures Attach. Zero IPv4 means "allocate"; nil MAC means MACFor
// the address.
type AttachOptions struct {
	IPv4 netip.Addr
	MAC  net.HardwareAddr
}

// Endpoint is a container's interface on one network.
type Endpoint struct {
	// Key names the endpoint for PublishPorts and UnpublishPorts.
	Key     string
	IfName  string
	Address netip.Prefix
	Gateway netip.Addr
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
	eps := map[string]netip.Addr{}
	for _, ep := range n.Endpoints {
		eps[ep.NsPath] = ep.Address
	}
	return &Network{Name: n.Name, Bridge: n.Bridge, Subnet: n.Subnet, Gateway: n.Gateway,
		Internal: n.Internal, Labels: n.Labels, Endpoints: eps}
}
