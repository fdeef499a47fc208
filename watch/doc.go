// Package watch is the file-watching half of `berth watch` (Compose's develop.watch):
// which host paths a rule covers and where they land in the container (Rule), the
// ignore and include patterns with Compose's semantics (Matcher, LoadDockerIgnore,
// Ephemeral), a recursive inotify watcher that adds directories as they appear
// (Notifier), and the debouncer that groups a burst of events into one batch
// (Debounce).
//
// It knows nothing about compose files, containers or the engine: the orchestrator
// (project) turns a service's develop.watch into Rules and acts on the batches. It
// imports only golang.org/x/sys/unix and moby/patternmatcher (Docker's own
// .dockerignore matcher, so patterns mean what they mean to Compose).
//
//	inotify ──Notifier.Events()──> Debounce(quiet) ──[]string──> project: Rule.Match
//	                                                              └─ sync / restart /
//	                                                                 exec / rebuild
package watch
