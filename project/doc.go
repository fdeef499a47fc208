// Package project orchestrates one Compose project on berth's own engine: it turns a
// loaded compose.Project into a plan (a printable list of actions), runs it against the
// engine, the network driver and the embedded DNS server, and records every object it
// makes in the project's state so that Down can always remove it.
//
// It is the only package that knows compose, engine, netdriver and dnsserver together;
// none of them imports it, and it never imports cmd.
//
// # Layout
//
//	$BERTH_ROOT/containers/<id>/         engine state of each container
//	$BERTH_ROOT/networks/                netdriver state (IPAM, bridges, endpoints)
//	$BERTH_ROOT/volumes/<project>_<v>/_data
//	$BERTH_ROOT/projects/<name>/state.json   working dir, config files, networks,
//	                                         volumes, containers (with labels)
//	$BERTH_ROOT/projects/<name>/lock         flock serialising mutating commands
//	$BERTH_RUNTIME_DIR/netns/<id>            containers' network namespaces
//	$BERTH_RUNTIME_DIR/projects/<name>/supervisor.sock   (0600, dir 0700)
//	$BERTH_RUNTIME_DIR/events/<name>.jsonl   container events (outlives down)
//
// # Rooms
//
// project is the API the CLI calls: one file per verb (up.go, down.go, run.go, logs.go,
// ps.go, ...), a context on every call, Options in, results out. It is also the
// executor (executor.go, container.go, restart.go): it carries out a
// plan's container steps, recording every object in state before making it. The rest
// lives in internal packages with one job each, dependencies pointing down:
//
//	internal/apply       act: networks, named and anonymous volumes, a container's
//	                     netns, attachments and ports, on consumer-side interfaces
//	                     (tested with fakes)
//	internal/plan        decide (pure): MakePlan for up, run's one-off and --dry-run;
//	                     Compose's naming rules
//	internal/spec        translate (pure): a service, its image and the resources the
//	                     executor made -> engine.Spec; ports, labels, mounts, health,
//	                     restart and seccomp parsing; the supported-settings checks
//	internal/supervisor  the per-project supervisor: DNS, healthchecks, restart
//	                     policies, and its socket protocol (server and client)
//	internal/logstream   following and printing containers' output
//	internal/eventlog    the project's container events: appended by commands and
//	                     the supervisor, followed by `events`
//	internal/state       records, paths, atomic load and save, the project lock
//
// Up plans with the same inputs PlanUp (`up --dry-run`) prints: the recorded state,
// the containers' statuses, the volumes that exist and the images' IDs. DryRun shows
// what the other container verbs would do, from state alone.
//
// # Progress
//
// The verbs write their progress to the Progress writer of their options as lines of
// Compose's plain display, " Kind name  Status[ details]" (" Container web-1
// Starting", then "Started"): an -ing status while the step runs, the past one when it
// is done. Package internal/progress reads these lines to draw Compose's terminal,
// JSON or quiet displays; other lines (notices) pass through. Config.MaxConcurrency
// bounds how many container steps of one verb run at once (--parallel).
//
// # Supervisor
//
// Up starts one supervisor per project: the same binary re-executed detached (setsid)
// with the hidden command "_supervise <project>". It owns the DNS listeners of the
// project's networks and runs healthchecks, answering one-line requests on a root-only
// unix socket (internal/supervisor/protocol.go: a request word in, "ok" or "error" and
// a body out). Containers are owned by the engine's per-container monitors, not by the
// supervisor, so killing it leaves them running; the next command that needs it
// (Up, or a status query) starts a new one, which adopts the containers from state.
// The supervisor also applies restart policies (restart.go, internal/supervisor): it
// restarts containers whose main process exited, with Docker's back-off, unless a user
// stopped them, and on adoption applies the policy to those that exited while no
// supervisor ran. It records the exits it sees (die, oom), its restarts and health
// changes in the event log; commands record what they do (internal/eventlog).
//
//	berth up ──spawn (setsid)──> berth _supervise p ── listens on supervisor.sock
//	   │  ping
//	   │  sync      (state.json changed: DNS records, healthchecks)
//	   │  health    (JSON: health of every container)
//	   │  shutdown  (Down: close DNS listeners, exit)
package project
