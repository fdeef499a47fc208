package dnsserver

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/miekg/dns"
)

// Server is berth's embedded DNS server: a set of networks, each with its own
// listeners and records, sharing one upstream forwarder. All methods are safe for
// concurrent use, also while queries are being served.
type Server struct {
	opts Options
	fwd  *forwarder

	mu     sync.Mutex
	nets   map[string]*network
	closed bool

	// recMu serialises updates of records: every network's eps and shared, and the
	// swaps of tables and index. It is never taken while mu is held.
	recMu sync.Mutex
	// index maps each endpoint ID to the networks it is on, in the order its names
	// are looked up (querier.go); swapped whole on every change, read without lock.
	index atomic.Pointer[map[string][]*network]
}

// network is one network's listeners and records. A peer network (AddPeerNetwork)
// has records only.
type network struct {
	name     string
	gateway  netip.Addr
	internal bool
	ttl      uint32
	suffixes []string
	fwd      *forwarder
	srv      *Server

	eps       map[string]Endpoint // guarded by srv.recMu
	shared    map[string]bool     // IDs also on another network; guarded by srv.recMu
	table     atomic.Pointer[table]
	tcp       *dns.Server
	slowSlots chan struct{}  // one token per UDP query on the slow path
	readers   sync.WaitGroup // serveUDP goroutines
	lis       *listeners
}

// New returns a Server with no networks. When opts.Upstreams is nil it reads the
// nameservers of opts.ResolvConfPath (default /etc/resolv.conf); when that file cannot
// be read there are no upstreams and forwarded queries get SERVFAIL.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	ups := opts.Upstreams
	if ups == nil {
		if data, err := os.ReadFile(opts.ResolvConfPath); err == nil {
			ups = parseResolvConf(data).nameservers
		}
	}
	return &Server{
		opts: opts,
		fwd:  newForwarder(ups, opts.ForwardTimeout, opts.DeadUpstreamFor),
		nets: make(map[string]*network),
	}
}

// AddNetwork starts serving the network called name on gateway, UDP and TCP. It
// listens on port 53 when it can; when that port is taken (or privileged for this
// process) it listens on a free high port of the same address. It returns the port it
// listens on: when it is not 53 the caller must DNAT gateway:53 to it. Queries on an
// internal network are never forwarded. A network of that name already served returns
// ErrExists; an empty name or an invalid gateway ErrInvalid. The name is also a DNS
// suffix: "web.<name>." answers like "web.".
func (s *Server) AddNetwork(name string, gateway netip.Addr, internal bool) (uint16, error) {
	if name == "" || !gateway.IsValid() {
		return 0, fmt.Errorf("add network %q on %s: %w", name, gateway, ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, fmt.Errorf("add network %q: server closed: %w", name, ErrInvalid)
	}
	if _, ok := s.nets[name]; ok {
		return 0, fmt.Errorf("add network %q: %w", name, ErrExists)
	}
	n := s.newNetwork(name, internal)
	n.gateway = gateway.Unmap()
	lis, err := listen(n.gateway, s.opts.UDPSockets)
	if err != nil {
		return 0, fmt.Errorf("add network %q: %w", name, err)
	}
	n.lis = lis
	n.start()
	s.nets[name] = n
	return lis.port, nil
}

// AddPeerNetwork holds the records of the network called name without serving it:
// nobody queries it, but its names are answered to the containers that are also on a
// network the server serves (a network another server listens on, as an external
// network of another project). Endpoints are set on it as on a served network. A
// network of that name already held returns ErrExists, an empty name ErrInvalid.
func (s *Server) AddPeerNetwork(name string, internal bool) error {
	if name == "" {
		return fmt.Errorf("add peer network: %w", ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("add peer network %q: server closed: %w", name, ErrInvalid)
	}
	if _, ok := s.nets[name]; ok {
		return fmt.Errorf("add peer network %q: %w", name, ErrExists)
	}
	s.nets[name] = s.newNetwork(name, internal)
	return nil
}

// newNetwork returns a network with no endpoints and no listeners.
func (s *Server) newNetwork(name string, internal bool) *network {
	n := &network{
		name: name, internal: internal, ttl: s.opts.TTL, suffixes: s.opts.Suffixes,
		fwd: s.fwd, srv: s, eps: make(map[string]Endpoint), slowSlots: make(chan struct{}, maxSlowQueries),
	}
	n.table.Store(buildTable(name, n.suffixes, n.eps, nil))
	return n
}

// start serves every listener and returns once all are serving: one serveUDP
// goroutine per UDP socket, and miekg/dns's server on the TCP listener.
func (n *network) start() {
	for _, pc := range n.lis.udp {
		n.readers.Add(1)
		go func() {
			defer n.readers.Done()
			n.serveUDP(pc)
		}()
	}
	started := make(chan struct{})
	n.tcp = &dns.Server{Listener: n.lis.tcp, Handler: n, NotifyStartedFunc: func() { close(started) }}
	go n.tcp.ActivateAndServe() //nolint:errcheck // returns when shut down
	<-started
}

func (n *network) stop() error {
	if n.lis == nil {
		return nil // a peer network
	}
	err := n.tcp.Shutdown()
	n.lis.close()
	n.readers.Wait()
	return err
}

// RemoveNetwork stops serving the network and closes its sockets. Removing a network
// that is not served is not an error.
func (s *Server) RemoveNetwork(name string) error {
	s.mu.Lock()
	n, ok := s.nets[name]
	delete(s.nets, name)
	s.mu.Unlock()
	if !ok {
		return nil
	}
	s.recMu.Lock()
	s.reindex(nil)
	s.recMu.Unlock()
	if err := n.stop(); err != nil {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	return nil
}

// SetEndpoint adds the endpoint to the network, or replaces the one with the same ID.
// Its addresses are answered, and it may query, as soon as SetEndpoint returns: call it
// before the container starts. Setting an endpoint equal to the one the network holds
// changes nothing and costs no rebuild of the network's records, so a caller may set
// every endpoint again on each reconciliation. An unknown network returns ErrNotFound;
// an empty ID or invalid address ErrInvalid.
func (s *Server) SetEndpoint(network string, ep Endpoint) error {
	if ep.ID == "" || !ep.Addr.IsValid() {
		return fmt.Errorf("set endpoint %q on %q: %w", ep.ID, network, ErrInvalid)
	}
	n, err := s.network(network)
	if err != nil {
		return fmt.Errorf("set endpoint %q: %w", ep.ID, err)
	}
	ep.Addr = ep.Addr.Unmap()
	ep.Aliases = append([]string(nil), ep.Aliases...)
	ep.Upstreams = append([]netip.AddrPort(nil), ep.Upstreams...)
	ep.Links = maps.Clone(ep.Links)
	s.recMu.Lock()
	defer s.recMu.Unlock()
	if old, ok := n.eps[ep.ID]; ok && sameEndpoint(old, ep) {
		return nil
	}
	n.eps[ep.ID] = ep
	s.reindex(n)
	return nil
}

func sameEndpoint(a, b Endpoint) bool {
	return a.ID == b.ID && a.Addr == b.Addr && a.Service == b.Service && a.ContainerName == b.ContainerName &&
		a.Hostname == b.Hostname && a.Domain == b.Domain && slices.Equal(a.Aliases, b.Aliases) && slices.Equal(a.Upstreams, b.Upstreams) &&
		maps.Equal(a.Links, b.Links)
}

// rebuild swaps in a new table of the network's endpoints, with a forwarder for each
// endpoint that has upstreams of its own (same timeouts as the server's). srv.recMu is
// held.
func (n *network) rebuild() {
	t := buildTable(n.name, n.suffixes, n.eps, n.shared)
	for _, ep := range n.eps {
		if len(ep.Upstreams) == 0 {
			continue
		}
		if t.fwds == nil {
			t.fwds = map[netip.Addr]*forwarder{}
		}
		t.fwds[ep.Addr] = newForwarder(ep.Upstreams, n.fwd.udp.Timeout, n.fwd.deadFor)
	}
	n.table.Store(t)
}

// RemoveEndpoint removes the endpoint with that ID from the network; queries stop
// seeing it when RemoveEndpoint returns. A missing endpoint is not an error; an unknown
// network returns ErrNotFound.
func (s *Server) RemoveEndpoint(network, id string) error {
	n, err := s.network(network)
	if err != nil {
		return fmt.Errorf("remove endpoint %q: %w", id, err)
	}
	s.recMu.Lock()
	defer s.recMu.Unlock()
	if _, ok := n.eps[id]; !ok {
		return nil
	}
	delete(n.eps, id)
	s.reindex(n)
	return nil
}

func (s *Server) network(name string) (*network, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.nets[name]
	if !ok {
		return nil, fmt.Errorf("network %q: %w", name, ErrNotFound)
	}
	return n, nil
}

// Close stops serving every network. It is idempotent; after it AddNetwork fails.
func (s *Server) Close() error {
	s.mu.Lock()
	nets := s.nets
	s.nets = make(map[string]*network)
	s.closed = true
	s.mu.Unlock()
	var errs []error
	for _, n := range nets {
		if err := n.stop(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
