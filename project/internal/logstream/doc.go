// Package logstream follows and prints containers' output as Compose does: a Printer
// writes whole lines of several containers to one writer ("web-1  | line", padded,
// colored per service), and a Watch follows a project's containers while the project
// changes under it (replicas added, containers recreated or restarted, the project
// removed), resuming each container's log where its last reader stopped. It also parses
// `logs`' --tail, --since and --until.
//
// It reads the project through Source, the interface its consumer implements, and the
// logs through the engine; it changes nothing.
package logstream
