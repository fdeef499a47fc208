// Package dnsserver is berth's embedded DNS server: it answers names of containers on a
// network from records the orchestrator gives it, and forwards other queries upstream.
//
// One Server holds any number of networks. Each network listens on its gateway address
// (UDP, several SO_REUSEPORT sockets, and TCP) and answers only to source addresses
// that are endpoints of that network (or the gateway itself), from the records of the
// networks the querying container is on (querier.go): a container never resolves
// names of a network it is not attached to, an alias is a name on its own network
// only, links are the querier's own, and the server is never an open resolver. A peer
// network (AddPeerNetwork) holds records without listening: a network another server
// listens on, whose names this server's containers that are also on it resolve. Names it does not hold are forwarded to the host's
// upstream resolvers, or to the endpoint's own (Endpoint.Upstreams, a container's dns:
// servers, as Docker's embedded DNS), except on internal networks.
//
// Records are kept per network in an immutable table swapped atomically on every
// update, so the query path takes no lock and updates never block queries.
//
// It knows nothing about Compose files and never imports compose, engine, netdriver or
// the orchestrator.
package dnsserver
