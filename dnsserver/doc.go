// Package dnsserver is berth's embedded DNS server: it answers names of containers on a
// network from records the orchestrator gives it, and forwards other queries upstream.
//
// It knows nothing about Compose files and never imports compose, engine, netdriver or
// the orchestrator.
package dnsserver
