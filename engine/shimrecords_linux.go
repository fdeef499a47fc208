package engine

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/berth-dev/berth/engine/shimproto"
	"golang.org/x/sys/unix"
)

// The engine's side of the shim's protocol (package shimproto): the configuration
// records it writes and the reports it reads.

// shimRecords is the shim's configuration: NUL-terminated key=value records, of the
// keys of package shimproto.
type shimRecords struct{ b bytes.Buffer }

// shimProtocolOverride, when not 0, is the version the engine sends instead of
// shimproto.Version: a test's, to see a mismatch refused.
var shimProtocolOverride atomic.Int64

// shimProtocol is the protocol version the engine sends.
func shimProtocol() int64 {
	if v := shimProtocolOverride.Load(); v != 0 {
		return v
	}
	return shimproto.Version
}

// version adds the protocol's version, which must be the shim's first record, and
// returns it.
func (r *shimRecords) version() int64 {
	v := shimProtocol()
	r.add(shimproto.Proto, strconv.FormatInt(v, 10))
	return v
}

func (r *shimRecords) add(key shimproto.Key, value string) {
	r.b.WriteString(string(key))
	r.b.WriteByte('=')
	r.b.WriteString(value)
	r.b.WriteByte(0)
}

func (r *shimRecords) flag(key shimproto.Key, on bool) {
	if on {
		r.add(key, string(shimproto.Flag))
	}
}

// command adds the argv and environment of the process.
func (r *shimRecords) command(argv, env []string) {
	for _, a := range argv {
		r.add(shimproto.Arg, a)
	}
	for _, kv := range env {
		r.add(shimproto.Env, kv)
	}
}

// cgroupProcs adds the cgroup.procs file of each of the container's cgroup dirs.
func (r *shimRecords) cgroupProcs(dirs map[string]string) {
	for _, d := range dirs {
		r.add(shimproto.Procs, filepath.Join(d, "cgroup.procs"))
	}
}

// identity adds the user, groups, capability set and no_new_privs.
func (r *shimRecords) identity(u execUser, caps uint64, spec *Spec) {
	r.add(shimproto.UID, strconv.Itoa(u.uid))
	r.add(shimproto.GID, strconv.Itoa(u.gid))
	for _, g := range u.groups {
		r.add(shimproto.Group, strconv.Itoa(g))
	}
	r.add(shimproto.Caps, strconv.FormatUint(caps, 16))
	r.flag(shimproto.NNP, spec.NoNewPrivileges)
}

// seccomp adds the seccomp filter (seccompRecord), unless there is none.
func (r *shimRecords) seccomp(filter string) {
	if filter != "" {
		r.add(shimproto.Seccomp, filter)
	}
}

// rlimits adds the ulimits as resource:soft:hard, and RLIMIT_MEMLOCK as this process
// had it before loading a device program lifted it (see liftMemlock), unless ls sets it.
func (r *shimRecords) rlimits(ls []Ulimit) error {
	old := memlockBefore.Load()
	for _, l := range ls {
		n, ok := rlimitNames[l.Name]
		if !ok {
			return fmt.Errorf("ulimit %q: unknown name: %w", l.Name, ErrInvalid)
		}
		r.add(shimproto.Rlimit, fmt.Sprintf("%d:%d:%d", n, l.Soft, l.Hard))
		if n == unix.RLIMIT_MEMLOCK {
			old = nil
		}
	}
	if old != nil {
		r.add(shimproto.Rlimit, fmt.Sprintf("%d:%d:%d", unix.RLIMIT_MEMLOCK, old.Cur, old.Max))
	}
	return nil
}

// reportFailure reads a line of the monitor's report that is not the one expected:
// its failure ("error <class> <message>"), or a report of another protocol.
func reportFailure(line string) error {
	line = strings.TrimRight(line, "\n")
	if msg, ok := strings.CutPrefix(line, string(shimproto.ReportError)+" "); ok {
		return shimFailure(msg)
	}
	return shimFailure(line) // of no class: a protocol failure
}

// shimReportFailure returns the failure the shim reported, if it reported one before
// it ended, else err.
func shimReportFailure(report *bufio.Reader, err error) error {
	if line, _ := report.ReadString('\n'); line != "" {
		return reportFailure(line)
	}
	return err
}

// logForward adds the log driver the output also goes to, if any.
func (r *shimRecords) logForward(f *LogForward) {
	if f == nil {
		return
	}
	r.add(shimproto.LogFwd, f.Driver)
	r.add(shimproto.LogAddr, f.Network+":"+f.Address)
	if f.Driver == LogSyslog {
		r.add(shimproto.LogSyslog, fmt.Sprintf("%d:%s:%s:%s", f.Facility, f.Format, f.Hostname, f.Tag))
	}
	for _, kv := range f.Fields {
		r.add(shimproto.LogField, strings.ReplaceAll(kv, "\x00", ""))
	}
}
