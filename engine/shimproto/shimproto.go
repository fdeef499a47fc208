// Package shimproto is the protocol between berth's engine (Go) and its container shim
// (engine/shim/shim.c, C): its version, the keys of the configuration records the
// engine writes, the values some of them take, the words of the shim's reports and the
// classes of the failures it reports. It is the one table of them: the shim's header
// engine/shim/protocol.h is generated from it (go generate ./engine/shimproto), and a
// test fails while that header is stale.
//
// # Wire format
//
// The engine writes the configuration on the shim's fd 3 as NUL-terminated "key=value"
// records; the first is always Proto=Version, and the shim refuses (ClassProto) a
// configuration whose first record is not its own version, before it makes anything.
// The monitor (start) reports on fd 4, one line each: ReportNet once the container's
// network namespace is ready, then ReportOK and PID 1's pid, or ReportError, a failure
// class and the shim's message ("error cgroup join cgroup /x/cgroup.procs: ..."). In
// exec mode fd 4 carries only a failure, as "<class> <message>", and closes at the
// command's execve. The message reads "step: cause", as berth's other errors.
//
// Changing a key, a value, a report or the meaning of a record changes the protocol:
// bump Version, so that a berth and a shim of different builds refuse each other
// instead of misreading each other.
//
// It imports nothing but the standard library; only package engine uses it.
package shimproto

// Version is the protocol's version: Proto's value, checked by the shim first.
const Version = 4

// Mark, then Version in decimal and a NUL, is in the shim's binary (PROTOCOL_MARK): the
// engine finds its version there before it runs it.
const Mark = "berth-shim-protocol "

// Key is a configuration record's key.
type Key string

// The configuration keys. Start sends Proto and Pre when it forks the shim, then NS,
// Net, PIDNS, IO and Dir, then the rest; exec mode sends Proto, then the rest.
const (
	Proto      Key = "proto"
	Pre        Key = "pre"
	NS         Key = "ns"
	Net        Key = "net"
	PIDNS      Key = "pidns"
	IO         Key = "io"
	Dir        Key = "dir"
	ID         Key = "id"
	Rootfs     Key = "rootfs"
	Path       Key = "path"
	PID        Key = "pid"
	Cwd        Key = "cwd"
	OOM        Key = "oom"
	OOMScore   Key = "oomscoreadj"
	NoLog      Key = "nolog"
	Arg        Key = "arg"
	Env        Key = "env"
	UID        Key = "uid"
	GID        Key = "gid"
	Group      Key = "group"
	Caps       Key = "caps"
	NNP        Key = "nnp"
	CgroupNS   Key = "cgroupns"
	TTY        Key = "tty"
	Winsize    Key = "winsize"
	Stdin      Key = "stdin"
	Init       Key = "init"
	Privileged Key = "privileged"
	Readonly   Key = "readonly"
	Rlimit     Key = "rlimit"
	Procs      Key = "procs"
	Sysctl     Key = "sysctl"
	LogMax     Key = "logmax"
	LogFiles   Key = "logfiles"
	LogFwd     Key = "logfwd"
	LogAddr    Key = "logaddr"
	LogSyslog  Key = "logsyslog"
	LogField   Key = "logfield"
	Seccomp    Key = "seccomp"
	Hook       Key = "hook"
	HookEnv    Key = "hookenv"
	HookSock   Key = "hooksock"
)

// KeyInfo documents a key: what its value is, and whether it may repeat.
type KeyInfo struct {
	Key      Key
	Repeated bool
	Doc      string
}

// Keys is the table of the configuration keys, in the order the engine writes them.
var Keys = []KeyInfo{
	{Proto, false, "the protocol version (Version), always the first record"},
	{Pre, false, "start: with the fork, \"netns\" (a spare shim makes a network namespace ahead) or empty"},
	{NS, false, "start: the starter's thread's /proc/<pid>/task/<tid>/ns (its mnt, uts and ipc namespaces)"},
	{Net, false, "start: \"new\", \"host\" or the path of a network namespace to join"},
	{PIDNS, false, "start: PID 1's pid namespace: \"new\", \"host\" (Net's values) or the path of one to join"},
	{IO, false, "start: \"pipes\" or \"tty\", with \"+stdin\" appended for an open stdin"},
	{Dir, false, "start: the container dir (state.json, container.log, stdin.sock)"},
	{ID, false, "start: the container's ID"},
	{Rootfs, false, "start: the mounted rootfs PID 1 pivots into"},
	{Path, false, "start: the command's executable, resolved in the rootfs"},
	{PID, false, "exec: the host pid of the container's PID 1"},
	{Cwd, false, "the working dir"},
	{OOM, false, "start: the cgroup's OOM counter, file:key"},
	{OOMScore, false, "the oom_score_adj of the process (PID 1's at start, an exec's), decimal"},
	{NoLog, false, "start: flag: no log file (the none log driver): output is read and dropped"},
	{Arg, true, "an argument of the command, argv[0] first"},
	{Env, true, "an environment variable, KEY=value"},
	{UID, false, "the user id (decimal)"},
	{GID, false, "the group id (decimal)"},
	{Group, true, "a supplementary group id (decimal)"},
	{Caps, false, "the capability set, a hex mask"},
	{NNP, false, "flag: set no_new_privs"},
	{CgroupNS, false, "flag: a cgroup namespace (cgroup v2)"},
	{TTY, false, "flag: a pseudo-terminal for stdio"},
	{Winsize, false, "start: the pty's size before the command runs, rows:cols"},
	{Stdin, false, "start: flag: stdin stays open"},
	{Init, false, "start: flag: the shim stays PID 1 as an init"},
	{Privileged, false, "start: flag: no masked or read-only paths"},
	{Readonly, false, "start: flag: a read-only rootfs"},
	{Rlimit, true, "an rlimit, resource:soft:hard (decimal)"},
	{Procs, true, "a cgroup.procs file to join"},
	{Sysctl, true, "start: a namespaced sysctl, key=value"},
	{LogMax, false, "start: the log's size limit in bytes, 0 = no rotation"},
	{LogFiles, false, "start: how many log files rotation keeps"},
	{LogFwd, false, "start: a log driver each output line also goes to: \"syslog\" or \"journald\""},
	{LogAddr, false, "start: LogFwd's socket, network:address (unixgram:/path, unix:/path, udp:ip:port, tcp:ip:port)"},
	{LogSyslog, false, "start: syslog's facility (0-23), format (\"\", rfc3164, rfc5424, rfc5424micro), hostname and tag, colon-separated"},
	{LogField, true, "start: a journald field sent with each line, KEY=value"},
	{Seccomp, false, "the seccomp filter, flags:filter in hex (struct sock_filter[])"},
	{Hook, true, "start: the exit hook's path, then its arguments"},
	{HookEnv, true, "start: an environment variable of the exit hook"},
	{HookSock, false, "start: a unix socket: no exit hook while something listens there"},
}

// Value is a value some keys take.
type Value string

// The values of Pre, Net and IO, a flag's value (a flag that is off is not sent), and
// the shim's argument for exec mode.
const (
	PreNetNS Value = "netns"
	NetNew   Value = "new"
	NetHost  Value = "host"
	IOPipes  Value = "pipes"
	IOTTY    Value = "tty"
	IOStdin  Value = "+stdin"
	Flag     Value = "1"
	ExecMode Value = "exec" // the shim's argv[1] in exec mode
)

// ValueInfo names a value in C (VALUE_<Name>).
type ValueInfo struct {
	Name  string
	Value Value
}

// Values is the table of the values.
var Values = []ValueInfo{{"PRE_NETNS", PreNetNS}, {"NET_NEW", NetNew}, {"NET_HOST", NetHost},
	{"IO_PIPES", IOPipes}, {"IO_TTY", IOTTY}, {"IO_STDIN", IOStdin}, {"FLAG", Flag},
	{"EXEC_MODE", ExecMode}}

// Report is the first word of a line the monitor reports on fd 4 at start.
type Report string

// The monitor's reports.
const (
	ReportNet   Report = "net"
	ReportOK    Report = "ok"
	ReportError Report = "error"
)

// Reports is the table of the reports.
var Reports = []Report{ReportNet, ReportOK, ReportError}

// Class is the class of a failure the shim reports: the first word of its message.
type Class string

// The failure classes.
const (
	ClassProto     Class = "proto"
	ClassNamespace Class = "namespace"
	ClassCgroup    Class = "cgroup"
	ClassProcess   Class = "process"
	ClassStdio     Class = "stdio"
	ClassRootfs    Class = "rootfs"
	ClassIdentity  Class = "identity"
	ClassExec      Class = "exec"
	ClassState     Class = "state"
)

// ClassInfo documents a failure class.
type ClassInfo struct {
	Class Class
	Doc   string
}

// Classes is the table of the failure classes.
var Classes = []ClassInfo{
	{ClassProto, "the configuration is not of this protocol (version, key or value)"},
	{ClassNamespace, "making or joining a namespace"},
	{ClassCgroup, "joining the container's cgroups"},
	{ClassProcess, "the shim's own pipes, clone and fork"},
	{ClassStdio, "the container's stdio: pipes, pty, stdin socket"},
	{ClassRootfs, "/proc, pivot_root, sysctls, masked and read-only paths"},
	{ClassIdentity, "rlimits, working dir, capabilities, no_new_privs, ids, seccomp"},
	{ClassExec, "finding or executing the command"},
	{ClassState, "the container dir, recording the container's state"},
}
