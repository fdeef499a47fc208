// Package eventlog is the log of a project's container events (create, start, die,
// stop, kill, destroy, pause, unpause, restart, oom, health_status), what Docker's
// daemon would send and `berth events` prints.
//
// berth has no daemon to stream events from, and any berth process may act on a
// project: so the events go to one append-only file per project, of JSON lines,
// <runtime dir>/events/<project>.jsonl, which the commands (for what they do) and
// the project's supervisor (for what it sees: exits, restarts, health) append to,
// and readers follow. A file, not a stream on the supervisor's socket: a command
// whose supervisor is gone still records what it does, and a reader started late
// (--since) finds what happened before it. It lives in the runtime dir, beside the
// project's run dir rather than in it, so that it outlives a down (and a reader
// follows across down and up), and is gone at reboot as Docker's events are.
//
//	writer (command, supervisor)           reader (berth events)
//	  Append: O_APPEND, one write per line   Follow: read to the end, poll every
//	  rotate to .1 past MaxSize              100 ms; reopen when the path is
//	                                         another file (rotated, recreated)
//
// A die may be written twice, by the command that stopped the container and by the
// supervisor that saw the exit: each carries the run it ends, and Follow reports the
// first of them only. Writers never fail a command for its events: Append's error is
// theirs to ignore.
//
// It imports only project/internal/state, for the records events are made of.
package eventlog
