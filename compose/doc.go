// Package compose turns Compose files into a validated, normalized project model and a
// dependency graph, the same model Docker Compose v2 builds.
//
// Load gives a Project with two views of one content: Model, Docker Compose's JSON
// model that `berth config` prints (byte for byte what `docker compose config`, YAML or
// --format json, of Compose v5.6.0 prints: Project.JSON and Project.YAML), and the
// typed view (Project.Services of ServiceConfig, Networks,
// Volumes, Secrets, Configs) the orchestrator uses. The typed structs mirror
// compose-go v2's field names, JSON tags and field order, so ServiceHash equals
// Compose's config hash and recreate decisions match. Project.Unsupported lists the
// keys berth parses but cannot run yet. Project.CheckService lists, at their places, the
// values Docker's engine refuses at `up` although Compose's config prints them (restart
// policies, published port ranges, tmpfs options, device cgroup rules, log rotation,
// resource ranges, mount options); they are read once, here (EffectiveRestart,
// PublishedRange, ParseTmpfs, LogRotation), and the orchestrator takes the typed values.
//
// It is pure: no I/O beyond reading compose files, env files and the environment it is
// given, no syscalls, and no imports of berth's engine, netdriver, dnsserver or cmd.
// Errors carry file:line:col and the field path.
//
// Names that become host objects are checked as Docker's daemon would check them at
// `up` (see names.go): volume and network names, container_name and image follow
// Docker's rules, the keys of the top-level maps the compose-spec schema's, so that a
// Project's names never lead outside berth's root. berth config therefore refuses a few
// files Compose's config prints (name: ../x), which Docker would refuse at up.
package compose
