// Package engine is berth's container engine: image store, overlay rootfs, namespaces,
// cgroups, mounts, process lifecycle, logs and exec.
//
// It knows nothing about Compose files and never imports compose, netdriver, dnsserver
// or the orchestrator.
package engine
