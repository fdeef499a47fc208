// Package netdriver owns berth's networking: per-network Linux bridges, veth pairs, IPAM,
// nftables NAT and published ports. It talks to the kernel through netlink
// (github.com/vishvananda/netlink) and nftables (github.com/google/nftables) and never runs
// ip, iptables or nft.
//
// It knows nothing about Compose files and never imports compose, engine, dnsserver or
// the orchestrator.
//
// # Model
//
// A Driver keeps its state in Options.StateDir/state.json: every network (bridge name, subnet,
// gateway, labels), every endpoint (netns path, host veth, address, published ports) and every
// namespace it bind-mounted. The file is written atomically under a flock, so several berth
// processes can share it, and every kernel object is recorded before or as it is made, so
// Sweep can remove everything even after a crash.
//
// The nftables tables (Options.Table, of family ip, and of family ip6 while a network has
// IPv6) are derived from that state and rewritten in one atomic transaction after each
// change; nothing else in them survives a rewrite.
//
// DNAT cannot publish a port on the host's IPv6 loopback (IPv6 has no route_localnet) nor
// on IPv6 for a container without IPv6: ProxyRoutes lists those ports for a userland proxy
// (netdriver/portproxy), which a long-lived caller runs (berth's project supervisors).
//
// # Addressing
//
// A network has an IPv4 subnet (from Options.Pools unless given) and, when dual-stack, an
// IPv6 one (a /64 of Options.Pool6, Docker's ULA /48 of the host, unless given); the bridge
// holds the gateway of each. Attach allocates the lowest free address of each subnet (of its
// ip_range when set) unless one is asked for, names the interface ethN or as asked, and
// points the namespace's default route of each family at the gateway Docker would choose
// (highest gw_priority; internal networks have none).
//
// A bridge keeps the MAC it was made with (pinned, as Docker's are): without a MAC of its
// own the kernel gives it its ports' lowest, so the gateway's MAC would move as veths come
// and go, under containers that resolved it (see pinBridgeMAC).
//
// # Lifecycle
//
//	New → CreateNetwork → CreateNetns → Attach → PublishPorts / RedirectDNS
//	    ← DeleteNetwork  ← DeleteNetns ← Detach ← UnpublishPorts
//	Sweep: everything recorded, in any state
//
// Deleting a namespace frees its veth peers in about 0.1 ms, much faster than deleting the
// veth first, so callers should DeleteNetns (after Detach has released the addresses).
//
// # Threads and namespaces
//
// Go moves goroutines between OS threads, while a network namespace belongs to a thread. The
// package never switches a shared thread: CreateNetns unshares on a thread that dies
// afterwards, never the main thread (internal/threads), and work inside a container
// namespace goes through a netlink handle opened on the namespace file
// (netlink.NewHandleAt). PortHolder reads /proc/thread-self/net, the calling thread's
// namespace, on a locked thread.
package netdriver
