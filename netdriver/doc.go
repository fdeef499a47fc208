// Package netdriver owns berth's networking: per-network Linux bridges, veth pairs, IPAM,
// nftables NAT and published ports.
//
// It knows nothing about Compose files and never imports compose, engine, dnsserver or
// the orchestrator.
package netdriver
