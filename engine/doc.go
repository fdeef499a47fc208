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
// There is no daemon and no runc. Each container has one resident helper outside it,
// the shim (like conmon or a containerd shim), and nothing of berth inside it unless
// Spec.Init asks for an init:
//
//   - the shim (engine/shim/shim.c: C, static, a few dozen kilobytes) owns the
//     container: it clones PID 1 in a new pid namespace, copies the output into the
//     json log, waits, and writes the exit status (code, signal, OOM) into state.json;
//     then it starts the spec's exit hook, if any (Spec.ExitHook), and exits.
//     The caller may die at any time: a new Engine with the same Root finds the
//     container on disk and Wait still learns the exit code (it waits on a pidfd of
//     the shim, which need not be its child).
//   - PID 1 is a fork of the shim, not a new program: it mounts /proc, pivots into
//     the rootfs, applies the container's privileges and execve's the command, so the
//     command itself becomes PID 1 (or, with Spec.Init, stays the shim's code, which
//     forwards signals, reaps orphans and exits with the command's status).
//
// The shim is C because it is on the path of every container start and exit: a static
// C program starts in well under a millisecond on this kind of machine, a Go program in
// 5-6 ms (runtime start, threads, page faults), and PID 1 needs code to run between
// clone and execve, which Go cannot do. Everything that needs judgement (the rootfs,
// mounts, users, paths, limits) stays in Go, on the starter's side.
//
// # The embedded shim
//
// Built with the build tag berth_shim (as the Makefile builds berth), the engine
// embeds the shim, which `make shim` builds first (musl-gcc -static, gitignored
// engine/shim/berth-shim). Each process that runs containers copies it once into a
// sealed memfd (MFD_CLOEXEC; F_SEAL_SEAL|SHRINK|GROW|WRITE) and executes that through
// /proc/<own pid>/fd/<n>, so no child inherits the fd. A container that reopens
// /proc/<pid>/exe of the shim (berth's init as PID 1, an exec before its execve)
// reaches an immutable copy, never a file on the host (CVE-2019-5736).
//
// The protocol between the engine and the shim (configuration keys, reports, failure
// classes, version) is one table, package engine/shimproto, from which the shim's
// header engine/shim/protocol.h is generated (go generate ./engine/shimproto; a test
// fails while it is stale). The engine finds the shim's version in its binary before
// it runs it, and sends its own as the first record, which the shim checks before it
// makes anything: a berth and a shim of different builds (build through the Makefile)
// refuse each other, and Start and Exec return ErrShimProtocol. Every other
// failure the shim reports comes back as a *ShimError naming the step, errors.Is its
// class's sentinel (ErrShimExec, ErrShimCgroup, ...). Without the tag (go build, go test, go vet) nothing is embedded: Start and
// Exec report errors.ErrUnsupported and the tests that run containers skip.
//
// # Start
//
//	starter (Start)                   shim                         PID 1 (fork of the shim)
//	      |                             |                               |
//	      |--fork+exec, setsid--------->| (a spare, made after the      |
//	      |  fd3 config, fd4 report     |  previous Start, or now)      |
//	      |--"proto=N", "pre=[netns]"-->| version check;                |
//	      |                             | [unshare(NEWNET) ahead]       |
//	  goroutine: cgroups (mkdir, limits)|                               |
//	  a fresh locked thread, never      |                               |
//	  unlocked (also made ahead):       |                               |
//	  unshare(NEWNS|NEWUTS|NEWIPC)      |                               |
//	  (or setns: shared uts, ipc)       |                               |
//	      |--"ns=<thread's ns dir>",    |                               |
//	      |  "net=new|host|<path>",     | opens mnt/uts/ipc for PID 1;  |
//	      |  "pidns=new|host|<path>",   | unshare(NEWNET) or setns;     |
//	      |  "io=…", "dir=…"----------->| [setns(pid) for children]     |
//	  overlay, /dev, devices,           | pipes or pty, stdin socket    |
//	  /etc files, volumes               |--clone([NEWPID])------------->| setns uts, ipc, mnt;
//	      |                             | [setns back to its own pid ns]|
//	      |<--"net"---------------------|                               | waits for the config
//	  setns(net), /sys, hostname,       |                               |
//	  chroot(rootfs): user, workdir,    |                               |
//	  PATH lookup, as the container     |                               |
//	  sees them; waits for the cgroups  |                               |
//	      |--records, EOF-------------->|--relays a copy--------------->| /proc, pivot_root,
//	      |                             | cgroup.procs (each hierarchy) | sysctls, masks, stdio,
//	      |                             |--release---------------------->| rlimits, caps, nnp,
//	      |                             |                               | groups, uid, cwd
//	      |                             |<--error text, exit 127--------|
//	      |                             |   or EOF (O_CLOEXEC closed    |
//	      |                             |   by a successful execve)     |--execve(cmd)
//	      |<--"ok <pid>" or             | state.json: running           |
//	      |   "error <class> ..."-------|                               |
//	   returns                          | copy stdout/stderr -> json log|
//	                                    | waitpid(PID 1)                |
//	                                    | state.json: exited, code, OOM |
//	                                    | exit                          |
//
// A container may share the uts, ipc or pid namespace of the host or of another running
// container (Spec.UTSMode, IPCMode, PIDMode): the thread joins the uts and ipc ones
// instead of making them, the shim's PID 1 is cloned into the pid one (the shim itself
// returns to its own at once, so its later children never land in a namespace whose
// init may be gone).
//
// The shim stays in the starter's namespaces (but the network one); the mounts are made
// in a mount namespace of the starter's thread, which only PID 1 joins, so its
// pivot_root there moves nobody else's root (the thread is chrooted into the rootfs by
// then and exits when Start returns). sysfs shows the network namespace of its
// mounter, hence the thread's setns before /sys. A thread and a shim are made ahead for
// the next Start once a container runs: a new thread costs up to a millisecond here,
// the shim's fork and exec about as much, and a spare whose process exits unused just
// reads EOF and exits. Errors before exec (`exec: "x": executable file not found in
// $PATH`, an unknown user, a bad working dir, a failed mount) come back from Start as
// errors: most are found by the starter itself, the rest are PID 1's.
//
// The overlay and every other mount exist only in the container's mount namespace, so
// they vanish with the container (with PID 1, the last process in it): Remove has no
// mount to clean up.
//
// # Stdin
//
// Without Spec.OpenStdin the container's stdin is /dev/null (or, with Tty, the terminal
// nobody writes to). With it the shim, which outlives the caller, listens on a unix
// socket (stdin.sock in the 0700 container dir, bound before PID 1 starts) and hands
// the first client the container's stdin as a descriptor (SCM_RIGHTS), then closes the
// socket: the write end of a pipe whose read end is the container's stdin (the shim
// closes its own copy, so the client's close is the container's EOF), or with Tty the
// pty master (the client writes keystrokes and sets the window size on it; the shim
// keeps reading the output into the log). The pty's first size is Spec.ConsoleSize,
// set by PID 1 right after opening it, before the command runs: a client attaches
// only once the command runs, too late for one that asks for the size at once. Until someone attaches, stdin stays open and
// silent, as Docker's stdin_open. If the container ends first, the shim closes the
// socket after recording the exit, and AttachStdin reports ErrNotRunning. See
// AttachStdin.
//
// # Rootfs
//
// The bottom lower dir is the init layer (<Root>/init-layer, made once and shared):
// empty /proc, /dev, /sys, /etc/hosts, /etc/hostname and /etc/resolv.conf, the
// mountpoints an image may lack. Without it each container would copy them up into its
// upper dir, and every directory made there costs a block, freed (with a discard on
// this kind of disk) when the container is removed. Being the bottom layer, it never
// hides an image's own files. Lower dirs are passed by their paths, or, when those do
// not fit in the one page of mount options (many layers), as short relative names
// (symlinks <dir>/l/N, as Docker's overlay2 does). For the same reason Remove recycles
// a container dir whose upper and work dirs are empty and untouched into
// <Root>/spare-dirs (at most four), and Create takes one there before making a new one
// (sparedirs_linux.go). Mount
// targets are resolved inside the rootfs (symlinks cannot point a mount out of it).
// The starter mounts the overlay, a tmpfs /dev with the standard nodes and links,
// Spec.Devices (copies of the host nodes), /dev/pts,
// /dev/shm, /dev/mqueue, /etc/hosts, /etc/hostname, /etc/resolv.conf, user mounts and a
// read-only /sys; PID 1 then mounts /proc, pivots, writes the sysctls and applies
// Docker's masked and read-only paths (skipped when privileged).
//
// # Privileges
//
// Capabilities are Docker's default set (+cap_add, -cap_drop, everything when
// privileged) applied as the bounding set of PID 1 and, after the uid change, as a
// limit on its permitted, effective and inheritable sets (ambient cleared): a root
// process then gets exactly that set, a non-root user none, and berth's init (Init),
// which stays PID 1 without an execve, holds what its command holds, as Docker's init.
// no_new_privs is set only when asked. Every fd above 2 is marked close-on-exec before
// execve (CVE-2024-21626).
//
// Seccomp: every container and every exec runs under Docker's default profile, or
// Spec.Seccomp's (unconfined, or a profile in Docker's JSON format); privileged ones
// run unconfined, as in Docker. Package engine/seccomp compiles the profile for the
// container's capabilities into a classic BPF program (cached per profile and
// capability set); the shim loads it where runc does: with no_new_privs as the last
// step before execve, else before the capabilities and ids change (loading needs
// CAP_SYS_ADMIN then), so the syscalls the shim makes after it must be allowed by
// the profile. An exec gets the container's filter, whatever its own privileges.
//
// # Devices
//
// CAP_MKNOD is in the default set and the rootfs is not nodev (as with Docker), so a
// container's root can make any device node: the device allow-list is what keeps it
// from opening the host's disks. It is Docker's (mknod of anything; null, zero, full,
// random, urandom, tty, console, ptmx, the ptys and tun), plus Spec.Devices and
// Spec.DeviceCgroupRules, and is made before any process joins the cgroup: on cgroup v1
// in the devices controller, on v2 as a BPF_CGROUP_DEVICE program attached to the
// container's cgroup (devfilter_linux.go), which the cgroup holds until it is removed.
// The hierarchy is chosen as Docker does: v2 where /sys/fs/cgroup is the cgroup2
// mount, else v1 (a hybrid host's cgroup2 beside the v1 hierarchies is not used).
// Privileged containers get every device.
//
// # Cgroups
//
// Each container has a cgroup under the engine's CgroupParent (or Spec.CgroupParent):
// one dir on v2; on v1 one per hierarchy (memory, cpu, pids, devices, freezer, and
// cpuset, blkio and cpuacct where the host mounts them; a new v1 cpuset cgroup gets
// its parent's cpus and mems). Resources are written before any process joins: memory
// (limit, swap, reservation, swappiness, OOM killer), CPU (quota, shares, cpuset,
// realtime time, for which the parents get the budget their containers ask), pids,
// block IO (weights, per-device throttles; device paths stat'ed for major:minor).
// What the host's kernel lacks a file for is left out, as Docker discards it, and
// Resources.Unapplied names it; realtime time without v1's cpu.rt_* files is an
// error (CheckRealtime). Spec.CgroupNS chooses the cgroup namespace (Docker's default:
// private on v2, the host's on v1); with the host's on v2 the container sees the
// host's tree at /sys/fs/cgroup, as with Docker. Stats reads the usage back as
// Docker's stats do: CPU time (v1 cpuacct), memory without the inactive file cache,
// block IO, PIDs, and the bytes over the interfaces of the container's network
// namespace (its PID 1's /proc/<pid>/net/dev).
//
// # Exec
//
// The container's PID 1 is the user's command (no resident berth helper inside the
// container, no memory charged to it), so Exec enters the namespaces from outside. A
// multi-threaded Go process cannot setns into a mount namespace; the shim, single-
// threaded C, can. Exec resolves the user from the container's /etc/passwd and
// /etc/group (through /proc/<PID 1>/root) and starts `berth-shim exec`, which joins
// the container's cgroups, then its ipc, uts, net, pid and mount namespaces and root,
// forks (a pid namespace takes effect for children), and the child takes a session of
// its own (with Tty, the terminal as its controlling one), the container's rlimits,
// working dir, seccomp filter, capabilities, no_new_privs, groups and user, looks the command up in
// the container's PATH and execs it. Its stdin, stdout and stderr are pipes the engine
// copies (or /dev/null, or a pty slave with Tty), never the caller's files: a file given
// as stdin could be reopened for writing through /proc/self/fd/0, and the caller's
// terminal read by a process left behind; the copy of stdin stops when the command
// exits. Errors before the execve travel back on an
// O_CLOEXEC pipe, as for Start; the shim exits with the command's status. An Exec costs
// one start of the shim, well under a millisecond here: healthchecks use the same path.
package engine
