// Package compose turns Compose files into a validated, normalized project model and a
// dependency graph, the same model Docker Compose v2 builds.
//
// It is pure: no I/O beyond reading compose files, env files and the environment it is
// given, no syscalls, and no imports of berth's engine, netdriver, dnsserver or cmd.
// Errors carry file:line:col and the field path.
package compose
