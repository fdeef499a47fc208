package engine

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Sentinel errors, tested with errors.Is.
var (
	// ErrNotFound: no container with that ID exists under the engine root.
	ErrNotFound = errors.New("container not found")
	// ErrExists: a container with that ID already exists.
	ErrExists = errors.New("container already exists")
	// ErrInvalid: the spec or the request is malformed.
	ErrInvalid = errors.New("invalid container spec")
	// ErrRunning: the operation needs a stopped container.
	ErrRunning = errors.New("container is running")
	// ErrNotRunning: the operation needs a running container.
	ErrNotRunning = errors.New("container is not running")
	// ErrPaused: the operation needs a running container that is not paused.
	ErrPaused = errors.New("container is paused")
	// ErrNoLog: the container keeps no log (Spec.NoLog).
	ErrNoLog = errors.New("configured logging driver does not support reading")
)

// Spec describes one container at engine level: no Compose types. The image arrives as
// data (its unpacked layer dirs and its config) so the engine never reads the image store.
type Spec struct {
	ID string
	// LayerDirs are unpacked layer directories ordered base first, top last.
	LayerDirs []string
	// Image is the image's config; Entrypoint/Cmd/Env/WorkingDir/User default from it.
	Image v1.Config

	Entrypoint []string // nil: the image's; non-nil (even empty) overrides it and drops the image's Cmd
	Cmd        []string // nil: the image's Cmd (unless Entrypoint was overridden)
	Env        []string // appended after the image's Env; later entries win
	WorkingDir string
	User       string // "name", "uid", "uid:gid", "name:group"
	// GroupAdd are supplementary groups the process gets besides its user's, as
	// Docker's --group-add: names of the container's /etc/group, or numbers.
	GroupAdd   []string
	Hostname   string
	Domainname string

	Mounts         []Mount
	ReadOnlyRootfs bool
	ShmSize        int64 // bytes; 0 means 64 MiB like Docker

	CapAdd, CapDrop []string // "NET_ADMIN" or "CAP_NET_ADMIN"; "ALL" allowed
	Privileged      bool
	NoNewPrivileges bool
	// Seccomp is the seccomp profile of the container and of its execs: "" is Docker's
	// default profile, SeccompUnconfined none, anything else a profile in Docker's JSON
	// format. Its rules that depend on capabilities see the container's (CapAdd,
	// CapDrop). A privileged container runs unconfined, as in Docker.
	Seccomp string
	// Init runs berth's own init as PID 1: it reaps zombies and forwards signals to
	// the command, which runs as its child.
	Init bool
	// Tty gives the container a terminal as stdin/stdout/stderr; the log then has one
	// stream ("stdout") with the terminal's output (\r\n line ends).
	Tty bool
	// ConsoleSize is the terminal's initial window size, {rows, columns}, as Docker's
	// HostConfig.ConsoleSize: with Tty the pty has it before the command runs, so the
	// command never sees the kernel's 0x0 (a client's later resize comes too late for
	// a command that asks at once). Zero leaves the pty's size 0x0.
	ConsoleSize [2]uint16
	// OpenStdin keeps the container's stdin open (a pipe, or the terminal with Tty)
	// and lets one client take it with AttachStdin; without it stdin is /dev/null (or
	// the terminal nobody writes to, with Tty).
	OpenStdin bool
	Sysctls   map[string]string
	Ulimits   []Ulimit
	// Devices are host device nodes made in the container's /dev and allowed by its
	// device allow-list (v1 devices controller; v2 BPF program).
	Devices []Device
	// DeviceCgroupRules add rules to the allow-list, in Docker's syntax ("c 1:3 mr",
	// "a *:* rwm"; see ParseDeviceRule), as Compose's device_cgroup_rules. Without
	// Privileged, a container may use only the devices of Docker's default allow-list,
	// of Devices and of these rules.
	DeviceCgroupRules []string
	Resources         Resources
	// OOMScoreAdj is the oom_score_adj of the container's PID 1 and execs (-1000 to
	// 1000), which their children inherit; 0 leaves the value they inherit from the
	// caller (lowering it needs CAP_SYS_RESOURCE: Start fails without).
	OOMScoreAdj int
	// CgroupParent is the cgroup, a path in each hierarchy, that holds this container's
	// cgroup instead of the engine's CgroupParent, as Docker's --cgroup-parent. Empty
	// uses the engine's.
	CgroupParent string
	// CgroupNS is the container's cgroup namespace: CgroupNSPrivate (its cgroup is the
	// root of what it sees in /proc/self/cgroup), CgroupNSHost (the host's view), or ""
	// for Docker's default: private on cgroup v2, host on v1.
	CgroupNS string

	// UTSMode, IPCMode and PIDMode choose the container's uts, ipc and pid namespaces
	// (Docker's --uts, --ipc, --pid): "" a new one (IPCMode also NSPrivate,
	// NSShareable, or NSNone: without /dev/shm), NSHost the host's, or NSContainer+ID the one of that container's
	// PID 1, which must run when this one starts (ErrInvalid otherwise). A shared uts
	// namespace keeps its hostname (Hostname and Domainname are not set in it). A
	// shared ipc namespace comes with its /dev/shm: the host's for NSHost; only a
	// NSShareable container's can be joined, as with Docker: its /dev/shm is a tmpfs
	// mounted on the host in its dir, until Remove, which joiners bind.
	UTSMode, IPCMode, PIDMode string

	// NetNSPath is a persistent network namespace (a bind-mounted nsfs file) to join,
	// or NSContainer+ID the one of that running container's PID 1 (one without a
	// persistent namespace); empty means a new namespace with only lo.
	NetNSPath   string
	HostNetwork bool
	// SharedNetNS says NetNSPath is another container's namespace (network_mode
	// service: or container:): the engine then leaves its sysctls alone. Otherwise a
	// container not in the host network gets Docker's network sysctls
	// (net.ipv4.ip_unprivileged_port_start=0, ping_group_range), unless Sysctls names them.
	SharedNetNS bool
	// Hosts and ResolvConf are the contents of /etc/hosts and /etc/resolv.conf; empty
	// leaves the image's file.
	Hosts      string
	ResolvConf string

	// NoLog discards the container's output (Docker's "none" log driver): no log
	// file is written and Logs returns ErrNoLog.
	NoLog bool
	// LogMaxSize (bytes, 0 = unlimited) and LogMaxFiles (≥1) rotate the json log.
	LogMaxSize  int64
	LogMaxFiles int
	// LogForward, when set, also sends each line of output to a syslog or journald
	// socket, besides the json log (Docker's dual logging: Logs reads the latter).
	LogForward *LogForward

	// ExitHook, when set, is a host program (an absolute path and its arguments) the
	// shim starts after it recorded each exit of the container, with the environment
	// ExitHookEnv only, in the network namespace of the process that called Start, in
	// a session of its own, stdio on /dev/null; nobody waits for it. It lets a caller
	// learn of exits while none of its processes runs. While something accepts
	// connections on the unix socket ExitHookUnlessListening (when set), the hook is
	// not run: the caller's resident process learns of the exit itself.
	ExitHook                []string
	ExitHookEnv             []string
	ExitHookUnlessListening string

	// Labels are the caller's annotations, kept with the container (Engine.Spec) and
	// not used by the engine: an orchestrator finds its containers by them when its own
	// records are lost.
	Labels map[string]string `json:",omitempty"`
}

// The values of Spec.CgroupNS besides "" (the default of the cgroup version).
const (
	CgroupNSHost    = "host"
	CgroupNSPrivate = "private"
)

// Mount is a bind mount (Type "bind", also used for named-volume dirs), a tmpfs, or an
// image's rootfs (Type "image").
type Mount struct {
	Type     string // "bind" or "tmpfs"
	Source   string // host path for bind
	Target   string // absolute path in the container
	ReadOnly bool
	Size     int64  // tmpfs bytes
	Mode     uint32 // tmpfs mode, 0 = 01777
	// Subpath (bind, image) mounts this path inside Source (or inside the image)
	// instead of all of it: relative, resolved beneath it (neither ".." nor a symlink
	// leads out: an error), and it must exist.
	Subpath string
	// Propagation (bind, image) is the mount's propagation, as Docker's bind option:
	// rprivate (the default), private, rslave, slave, rshared or shared. With a slave
	// or shared one the container's mounts are made slaves of the host's, so that what
	// the host mounts under a shared source appears in the container; a shared mount's
	// own mounts reach the container's other peers only, not the host.
	Propagation string
	// Image (image) is the image whose rootfs is mounted read-only on Target, as
	// Compose's volume type image. A pointer keeps Mount comparable.
	Image *MountImage `json:",omitempty"`
	// NoExec (tmpfs) forbids executing its files; TmpfsData adds tmpfs options such as
	// "uid=1000,gid=1000" (comma-separated, as mount(8) takes them).
	NoExec    bool
	TmpfsData string
	// CopyUp (bind only) populates a volume as Docker does: when Source is an empty
	// directory and Target is a directory of the image, the image's content there is
	// copied into Source (owners, modes, times, hard and symbolic links, device nodes;
	// not xattrs) before the mount, and Source takes the target's owner and mode. A
	// non-empty Source is mounted as it is.
	CopyUp bool
}

// Ulimit is one rlimit, Name as Docker spells it ("nofile", "nproc", ...).
type Ulimit struct {
	Name       string
	Soft, Hard uint64
}

// Resources are cgroup limits; zero fields are unlimited.
type Resources struct {
	Memory int64 // bytes
	// MemorySwap is memory+swap in bytes (≥ Memory; needs Memory), -1 for unlimited
	// swap; 0 means twice Memory, as Docker does. Ignored where the kernel does not
	// account swap.
	MemorySwap int64
	CPUs       float64
	CPUShares  int64
	PidsLimit  int64
	// CpusetCpus and CpusetMems pin the container to CPUs and memory nodes, in the
	// kernel's list syntax ("0-2,4").
	CpusetCpus, CpusetMems string
	// CPURealtimePeriod and CPURealtimeRuntime (microseconds) give the container's
	// realtime tasks a share of the CPU (cgroup v1 with CONFIG_RT_GROUP_SCHED only:
	// Start fails elsewhere). The parent cgroups get the budget their containers ask for.
	CPURealtimePeriod, CPURealtimeRuntime int64
	// MemoryReservation is a soft limit in bytes (v1 memory.soft_limit_in_bytes, v2
	// memory.low).
	MemoryReservation int64
	// MemorySwappiness (0-100; nil keeps the kernel's) and OOMKillDisable are cgroup v1
	// settings: where the kernel has no such file (cgroup v2) they are not applied, as
	// Docker discards them; see Resources.Unapplied.
	MemorySwappiness *int64
	OOMKillDisable   bool
	// Blkio weights the container's block IO (10-1000) and throttles it per device.
	Blkio Blkio
}

// Status is a container's lifecycle state.
type Status string

// The statuses a container goes through.
const (
	StatusCreated Status = "created"
	StatusRunning Status = "running"
	StatusExited  Status = "exited"
	// StatusPaused is a running container whose processes the cgroup freezer froze.
	StatusPaused Status = "paused"
)

// State is what the engine knows about one container, read from its state dir.
type State struct {
	ID         string
	Status     Status
	Pid        int // the container's init process in the host pid namespace
	MonitorPid int
	ExitCode   int
	OOMKilled  bool
	Signal     int // the signal that ended the process, or 0
	StartedAt  time.Time
	FinishedAt time.Time
}

// ExitStatus is how a container's main process ended.
type ExitStatus struct {
	ExitCode  int  // 128+signal when killed by a signal
	OOMKilled bool // the memory cgroup killed a process
	Signal    int
}

// user is the user the process runs as: the spec's, else the image's USER, as Docker.
func (s *Spec) user() string {
	if s.User != "" {
		return s.User
	}
	return s.Image.User
}

// argv combines the spec's entrypoint/cmd with the image's, by Docker's rules.
func (s *Spec) argv() ([]string, error) {
	ep, cmd := s.Image.Entrypoint, s.Image.Cmd
	if s.Entrypoint != nil {
		ep, cmd = s.Entrypoint, nil
	}
	if s.Cmd != nil {
		cmd = s.Cmd
	}
	argv := append(append([]string{}, ep...), cmd...)
	if len(argv) == 0 {
		return nil, fmt.Errorf("container %q: no command specified: %w", s.ID, ErrInvalid)
	}
	return argv, nil
}

// env is the image's env then the spec's, later keys replacing earlier ones in place.
// workingDir is the spec's working dir, else the image's, else "/"; it must be
// absolute.
func (s *Spec) workingDir() (string, error) {
	wd := s.WorkingDir
	if wd == "" {
		wd = s.Image.WorkingDir
	}
	if wd == "" {
		wd = "/"
	}
	if !filepath.IsAbs(wd) {
		return "", fmt.Errorf("working dir %q: not absolute: %w", wd, ErrInvalid)
	}
	return wd, nil
}

// processEnv is env with HOME set to home (the user's, from /etc/passwd) unless the
// image or the spec sets it, as Docker does.
func (s *Spec) processEnv(home string) []string {
	env := s.env()
	for _, kv := range env {
		if strings.HasPrefix(kv, "HOME=") {
			return env
		}
	}
	return append(env, "HOME="+home)
}

func (s *Spec) env() []string {
	var out []string
	idx := map[string]int{}
	for _, kv := range append(append([]string{}, s.Image.Env...), s.Env...) {
		k := kv
		for i := range kv {
			if kv[i] == '=' {
				k = kv[:i]
				break
			}
		}
		if i, ok := idx[k]; ok {
			out[i] = kv
			continue
		}
		idx[k] = len(out)
		out = append(out, kv)
	}
	if _, ok := idx["PATH"]; !ok {
		out = append(out, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	}
	if _, ok := idx["HOSTNAME"]; !ok && s.Hostname != "" {
		out = append(out, "HOSTNAME="+s.Hostname)
	}
	return out
}

// checkID refuses (ErrInvalid) an ID that is empty, longer than 128 bytes, holds a
// character other than [a-zA-Z0-9_.-] or starts with "." (".", ".." and hidden names):
// an ID names the container's directory and cgroups, which must stay under their roots.
func checkID(id string) error {
	if id == "" || len(id) > 128 || id[0] == '.' {
		return fmt.Errorf("container id %q: %w", id, ErrInvalid)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("container id %q: bad character %q: %w", id, r, ErrInvalid)
		}
	}
	return nil
}

func (s *Spec) validate() error {
	if err := checkID(s.ID); err != nil {
		return err
	}
	if len(s.LayerDirs) == 0 {
		return fmt.Errorf("container %q: no layers: %w", s.ID, ErrInvalid)
	}
	for _, m := range s.Mounts {
		if err := m.validate(); err != nil {
			return fmt.Errorf("container %q: %w", s.ID, err)
		}
	}
	for _, d := range s.Devices {
		if err := d.validate(); err != nil {
			return fmt.Errorf("container %q: %w", s.ID, err)
		}
	}
	for _, r := range s.DeviceCgroupRules {
		if _, err := ParseDeviceRule(r); err != nil {
			return fmt.Errorf("container %q: %w", s.ID, err)
		}
	}
	if err := s.Resources.validate(); err != nil {
		return fmt.Errorf("container %q: %w", s.ID, err)
	}
	if err := s.validateCgroup(); err != nil {
		return err
	}
	if _, err := s.argv(); err != nil {
		return err
	}
	if len(s.ExitHook) > 0 && !filepath.IsAbs(s.ExitHook[0]) {
		return fmt.Errorf("container %q: exit hook %q: want an absolute path: %w", s.ID, s.ExitHook[0], ErrInvalid)
	}
	return nil
}

func (r *Resources) validate() error {
	switch {
	case r.MemorySwap != 0 && r.Memory <= 0:
		return fmt.Errorf("memory+swap limit %d needs a memory limit: %w", r.MemorySwap, ErrInvalid)
	case r.MemorySwap < -1:
		return fmt.Errorf("memory+swap limit %d: %w", r.MemorySwap, ErrInvalid)
	case r.MemorySwap > 0 && r.MemorySwap < r.Memory:
		return fmt.Errorf("memory+swap limit %d below the memory limit %d: %w", r.MemorySwap, r.Memory, ErrInvalid)
	case r.MemorySwappiness != nil && (*r.MemorySwappiness < 0 || *r.MemorySwappiness > 100):
		return fmt.Errorf("memory swappiness %d: want 0 to 100: %w", *r.MemorySwappiness, ErrInvalid)
	case r.MemoryReservation < 0 || r.Memory > 0 && r.MemoryReservation > r.Memory:
		return fmt.Errorf("memory reservation %d: want at most the memory limit %d: %w", r.MemoryReservation, r.Memory, ErrInvalid)
	case r.CPURealtimeRuntime < 0 || r.CPURealtimePeriod < 0 ||
		r.CPURealtimeRuntime > 0 && r.CPURealtimePeriod > 0 && r.CPURealtimeRuntime > r.CPURealtimePeriod:
		return fmt.Errorf("realtime runtime %dµs over its period %dµs: %w", r.CPURealtimeRuntime, r.CPURealtimePeriod, ErrInvalid)
	}
	return r.Blkio.validate()
}

// TopmostLayers returns layers (base first) with every directory kept only at its
// topmost occurrence. An image may list one layer twice (a COPY and a later step
// with the same diff; images Docker built): overlayfs refuses a lower dir given
// twice (ELOOP), and dropping the lower copy changes nothing, as the upper copy
// holds the same entries above everything the lower one could show.
func TopmostLayers(layers []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(layers))
	for i := len(layers) - 1; i >= 0; i-- {
		l := filepath.Clean(layers[i])
		if !seen[l] {
			seen[l] = true
			out = append(out, layers[i])
		}
	}
	slices.Reverse(out)
	return out
}

// LogForward is where and how the shim sends each line of a container's output, as
// Docker's syslog and journald log drivers do. Empty lines are not sent; a line's
// trailing newline is dropped.
type LogForward struct {
	// Driver is LogSyslog or LogJournald.
	Driver string
	// Network is "unixgram", "unix" (a stream), "udp" or "tcp"; Address the socket's
	// path, or IP:port (an IPv6 address in brackets), dialled from the caller's network
	// namespace.
	Network, Address string
	// Facility (0-23), Format ("" for Docker's default unix format, "rfc3164",
	// "rfc5424", "rfc5424micro"), Hostname and Tag make syslog's header.
	Facility int
	Format   string
	Hostname string
	Tag      string
	// Fields are journald's fields sent with every line, KEY=value (CONTAINER_NAME,
	// ...), besides PRIORITY (6 for stdout, 3 for stderr), SYSLOG_TIMESTAMP and MESSAGE.
	Fields []string
}

// The drivers of LogForward.
const (
	LogSyslog   = "syslog"
	LogJournald = "journald"
)
