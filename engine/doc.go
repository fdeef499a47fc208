// Package engine is berth's container engine: overlay rootfs, namespaces, cgroups,
// mounts, process lifecycle and logs. The image store lives in engine/image; this
// package takes an image as data (unpacked layer dirs and the image config) and never
// imports it.
//
// It knows nothing about Compose files and never imports compose, netdriver, dnsserver
// or the orchestrator.
//
// # Process model
//
// There is no daemon and no runc. Start executes the stage binary (see below) twice:
//
//   - a monitor (setsid, detached, one per container, like conmon or a containerd shim)
//     that owns the container: it starts init, copies the output into the json log,
//     waits, and writes the exit status (code, signal, OOM) into state.json. The caller
//     may die at any time: a new Engine with the same Root finds the container on disk
//     and Wait still learns the exit code (it waits on a pidfd of the monitor, which
//     need not be its child).
//   - init, started by the monitor with CLONE_NEWPID|NEWNS|NEWUTS|NEWIPC from a locked
//     thread that has already made a new network namespace (unless a netns path or
//     host network is given) and, on cgroup v1, joined the container's cgroups, so init
//     is born in both and is never migrated. It is PID 1 of the new pid namespace. It
//     builds the rootfs in its own mount namespace, pivots into it, drops privileges
//     and execve's the command, so the command itself becomes PID 1.
//
// Every namespace is made by clone flags or unshare on a fresh process or a thread that
// then dies, so no Go thread ever setns into a mount namespace. Only a persistent netns
// is joined with setns, by init on its locked main thread, the same thread that then
// calls execve.
//
// # Stage binary
//
// The stages (monitor, init and the exec stage below) run from one of two binaries:
//
//   - built with the build tag berth_stage (as the Makefile builds berth), the engine
//     embeds a small binary of this package alone, built first by `make stage` from
//     ./engine/stagebin (CGO_ENABLED=0, stripped) into the gitignored
//     engine/stagebin/berth-stage. Each process that starts a stage copies it once into
//     a sealed memfd (MFD_CLOEXEC; F_SEAL_SEAL|SHRINK|GROW|WRITE) and executes that:
//     Start through /proc/<own pid>/fd/<n>, so the monitor inherits no fd of it, and
//     Exec as fd 4 of nsenter, which the exec stage closes. The monitor's /proc/self/exe
//     is then the memfd, so init runs from it too. A stage starts at the cost of a small
//     Go program instead of the full CLI (cobra, registry client, DNS, nftables and
//     their package inits), and a container that reopens /proc/<pid>/exe of a stage
//     (berth's init as PID 1, an exec stage) reaches an immutable copy, never a file on
//     the host (CVE-2019-5736). A stale stage (package engine changed, stage not
//     rebuilt) speaks an old protocol: build through the Makefile.
//   - without the tag (go build, go test, go vet), nothing is embedded and the stages
//     run from the running binary itself, /proc/self/exe; Exec then copies that whole
//     binary into the sealed memfd, once per process.
//
// Either way call MaybeRunInit first in main (and in TestMain: in tests /proc/self/exe
// is the test binary); it runs the stage named in the environment and never returns in
// that case.
//
// # Start handshake
//
//	starter (Start)          monitor                           init (PID 1, new ns)
//	      |                     |                                   |
//	      |--exec, setsid------>| (Go runtime starting)             |
//	      |  fd3 = report pipe  | read config.json                  |
//	      |  fd4 = cgroup ready | locked thread: unshare(NEWNET)    |
//	      | ensureCgroup        |                                   |
//	      |--one byte (fd4)---->| thread joins cgroups ("tasks")    |
//	      |                     |--clone(NEW*)+exec from it-------->| block on fd3 (sync)
//	      |                     |  fd3 sync, fd4 err, fd5 config,   |
//	      |                     |  stdout/stderr pipes              |
//	      |                     | pids.max (the thread is gone)     |
//	      |                     |--sync byte (fd3)----------------->| read config (fd5)
//	      |                     |                                   | mounts, devices,
//	      |                     |                                   | pivot_root, masks,
//	      |                     |                                   | caps, user
//	      |                     |<--error text on fd4, exit 127-----| (on failure)
//	      |                     |   or EOF on fd4 (O_CLOEXEC closed |
//	      |                     |   by a successful execve)         |--execve(cmd)
//	      |<--"ok <pid>" or ----| state.json: running               |
//	      |   "error <text>"    | copy stdout/stderr -> json log    |
//	   returns                  | waitpid(init)                     |
//	                            | state.json: exited, code, OOM     |
//	                            | exit                              |
//
// The cgroups are written by the starter while the monitor's Go runtime starts, and the
// netns is made while they are written. Init is born inside its cgroups because moving a
// process whose Go runtime is starting threads takes cgroup_threadgroup_rwsem for
// writing against those clones, which stalled Start by up to 8 ms here. The launching
// thread is never unlocked, so it exits with its goroutine (the monitor's main
// goroutine holds the main thread, which would otherwise be parked instead).
//
// So errors before exec (`exec: "x": executable file not found in $PATH`, an unknown
// user, a bad working dir, a failed mount) come back from Start as errors.
//
// # Stdin
//
// Without Spec.OpenStdin the container's stdin is /dev/null (or, with Tty, the terminal
// nobody writes to). With it the monitor, which outlives the caller, listens on a unix
// socket (stdin.sock in the 0700 container dir, bound before init starts) and hands
// the first client the container's stdin as a descriptor (SCM_RIGHTS), then closes the
// socket: the write end of a pipe whose read end is the container's stdin (the monitor
// closes its own copy, so the client's close is the container's EOF), or with Tty the
// pty master (the client writes keystrokes and sets the window size on it; the monitor
// keeps reading the output into the log). Until someone attaches, stdin stays open and
// silent, as Docker's stdin_open. See AttachStdin.
//
// # Rootfs
//
// The overlay is mounted inside init's mount namespace only, so it vanishes with the
// container and Remove has no mount to clean up. Lower dirs are passed as short relative
// names (symlinks <dir>/l/N, as Docker's overlay2 does) so that many layers fit in the
// one page of mount options. Mount targets are resolved inside the rootfs (symlinks
// cannot point a mount out of it). /proc, a tmpfs /dev with the standard nodes and
// links, Spec.Devices (copies of the host nodes, allowed in the v1 device cgroup; on
// v2 that needs eBPF, so Start refuses devices there with errors.ErrUnsupported),
// /dev/pts, /dev/shm, /dev/mqueue, a read-only /sys, user mounts, /etc/hosts,
// /etc/hostname, /etc/resolv.conf, pivot_root, sysctls, then Docker's masked and
// read-only paths (skipped when privileged).
//
// # Privileges
//
// Capabilities are Docker's default set (+cap_add, -cap_drop, everything when
// privileged) applied as the bounding set of the exec'ing thread: a root process then
// gets exactly that set at execve, a non-root user none. no_new_privs is set only when
// asked. Every fd above 2 is marked close-on-exec before execve (CVE-2024-21626).
//
// # Exec
//
// The container's PID 1 is the user's command (no resident berth helper inside the
// container, no memory charged to it), so Exec enters the namespaces from outside. A
// multi-threaded Go process cannot setns into a mount namespace, and a cgo constructor
// (runc's nsenter) would make the whole binary cgo. Exec therefore uses two short
// processes, without a daemon:
//
//	caller:   a locked thread joins the container's cgroups (v1 "tasks"; on v2 the
//	          child is cloned into the cgroup with CLONE_INTO_CGROUP) and forks
//	--exec--> util-linux nsenter: setns mnt/uts/ipc/net/pid + root/cwd of the
//	          container's PID 1, fork
//	--exec--> exec stage (the stage binary from its sealed memfd on fd 4, inside every
//	          namespace): same user/caps/no_new_privs/workdir/env code as init, then execve
//
// The sealed memfd is made once per berth process and reused, and nsenter is a small C
// program, so an Exec costs one start of the stage binary. The caller's thread returns
// to its own cgroups once the exec has ended. Errors before the final execve travel
// back on an O_CLOEXEC pipe, as for Start; the exit code is nsenter's, which mirrors
// its child's. Healthchecks use the same path. The exec stage runs inside the
// container's mount namespace, so the stage binary (embedded, or berth itself) must be
// statically linked (CGO_ENABLED=0); Exec reports errors.ErrUnsupported otherwise.
package engine
