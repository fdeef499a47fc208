// Package plan decides what Up (and Run's one-off, and `up --dry-run`) must do: it
// compares a compose project with the state recorded of it and the statuses of its
// containers and returns a Plan, an ordered list of actions to print, test and carry
// out. It also owns Compose's naming rules (containers, networks, volumes, replicas).
//
// It is pure: no I/O, no clock, no randomness. It imports compose, engine (for
// container statuses) and project/internal/state (the records it reads), never the
// executor, netdriver or dnsserver.
package plan
