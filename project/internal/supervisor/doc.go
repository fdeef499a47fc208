// Package supervisor is the per-project supervisor and its protocol. Run serves one
// project until a shutdown request: the DNS listeners of its networks (records of
// every project's containers on them, and of their other networks, from the projects'
// state.json, reconciled on every sync and on a peer's refresh request: records.go),
// the healthchecks of its containers, and their restart policies (one watcher per
// container whose policy restarts, with Docker's back-off, counts in
// projects/<name>/restarts.json), the events it sees (exits, restarts, health changes;
// events.go), and the userland proxy of its published ports that DNAT cannot serve, on
// the host's IPv6 loopback (proxies.go). Client and Serve are the two
// ends of the one-line protocol on the project's root-only unix socket (protocol.go).
//
// Containers are owned by the engine's per-container shims, not by the supervisor:
// killing it leaves them running, and the next one adopts them from state. It reads
// the projects' state (project/internal/state) and acts through the engine, the
// network driver and the DNS server; it never imports the project package or compose.
package supervisor
