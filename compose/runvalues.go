package compose

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/docker/go-units"
)

// This file reads the values Docker's engine parses at `up` (restart policies, published
// port ranges, tmpfs options, json-file log rotation, device cgroup rules) into typed
// values, once: Load checks them with these parsers (runchecks.go), and the orchestrator
// takes the typed results without parsing again.

// Restart policy names, as Docker's engine takes them.
const (
	RestartNo            = "no"
	RestartAlways        = "always"
	RestartOnFailure     = "on-failure"
	RestartUnlessStopped = "unless-stopped"
)

// Restart is a service's effective restart policy: Name is one of the Restart* names,
// MaxRetries bounds the restarts of on-failure (0: unlimited).
type Restart struct {
	Name       string
	MaxRetries int
}

// deployConditions maps deploy.restart_policy.condition onto restart policies, as Compose
// does; an empty condition is Docker's empty policy name, which never restarts.
var deployConditions = map[string]string{
	"": RestartNo, "none": RestartNo, "no": RestartNo,
	"on-failure":     RestartOnFailure,
	"unless-stopped": RestartUnlessStopped,
	"any":            RestartAlways, "always": RestartAlways,
}

// EffectiveRestart returns the service's restart policy: deploy.restart_policy when set (it
// wins over restart:, as in Compose; its delay and window are ignored, as Compose does),
// else restart:, else no. Load refused policies Docker refuses; for such a value (a
// ServiceConfig not from Load) it returns the policy "no".
func (s ServiceConfig) EffectiveRestart() Restart {
	p, _, err := s.restartPolicy()
	if err != nil {
		return Restart{Name: RestartNo}
	}
	return p
}

// restartPolicy reads the policy; an error names the field (relative to the service)
// that Docker would refuse.
func (s ServiceConfig) restartPolicy() (Restart, string, error) {
	if s.Deploy != nil && s.Deploy.RestartPolicy != nil {
		rp := s.Deploy.RestartPolicy
		name, ok := deployConditions[rp.Condition]
		if !ok {
			return Restart{}, "deploy.restart_policy.condition", fmt.Errorf("%q: want none, on-failure or any", rp.Condition)
		}
		p := Restart{Name: name}
		if rp.MaxAttempts == nil || *rp.MaxAttempts == 0 {
			return p, "", nil
		}
		field := "deploy.restart_policy.max_attempts"
		if name != RestartOnFailure {
			return Restart{}, field, fmt.Errorf("only allowed with condition on-failure (Docker refuses a retry count for %q)", rp.Condition)
		}
		if *rp.MaxAttempts > 1<<31-1 {
			return Restart{}, field, fmt.Errorf("%d is too large", *rp.MaxAttempts)
		}
		p.MaxRetries = int(*rp.MaxAttempts)
		return p, "", nil
	}
	if s.Restart == "" {
		return Restart{Name: RestartNo}, "", nil
	}
	name, max, hasMax := strings.Cut(s.Restart, ":")
	switch name {
	case RestartNo, RestartAlways, RestartOnFailure, RestartUnlessStopped:
	default:
		return Restart{}, "restart", fmt.Errorf("%q: want no, always, on-failure[:max-retries] or unless-stopped", s.Restart)
	}
	p := Restart{Name: name}
	if !hasMax {
		return p, "", nil
	}
	if name != RestartOnFailure {
		return Restart{}, "restart", fmt.Errorf("%q: a maximum retry count is only allowed with on-failure", s.Restart)
	}
	n, err := strconv.ParseInt(max, 10, 32)
	if err != nil || n < 0 {
		return Restart{}, "restart", fmt.Errorf("%q: maximum retry count %q is not a number >= 0", s.Restart, max)
	}
	p.MaxRetries = int(n)
	return p, "", nil
}

// PublishedRange is the host port range of the port: first and last are equal for one
// port, both 0 when none is published (Docker picks one). Load refused published values
// that are not a port or a range of ports; for such a value it returns 0, 0.
func (p ServicePortConfig) PublishedRange() (first, last uint16) {
	if p.Published == "" {
		return 0, 0
	}
	lo, hi, err := PortRange(p.Published)
	if err != nil {
		return 0, 0
	}
	return uint16(lo), uint16(hi)
}

// TmpfsMount is one entry of a service's tmpfs: list, read as `docker run --tmpfs` takes
// PATH[:OPTIONS].
type TmpfsMount struct {
	Target   string
	ReadOnly bool
	Exec     bool   // Docker mounts tmpfs noexec unless exec is given
	Size     int64  // bytes; 0 is the kernel's default
	Mode     uint32 // 0 is the kernel's default
	Data     string // uid=, gid=, nr_inodes= as given, comma-separated, for the kernel
}

// ParseTmpfs reads the short tmpfs syntax: comma-separated ro/rw, exec/noexec, size=
// (bytes, or with a k, m or g suffix), mode= (octal), and uid=, gid=, nr_inodes= passed
// to tmpfs; nosuid and nodev are accepted (tmpfs mounts always have them).
func ParseTmpfs(spec string) (TmpfsMount, error) {
	target, opts, _ := strings.Cut(spec, ":")
	m := TmpfsMount{Target: target}
	if !path.IsAbs(target) {
		return m, fmt.Errorf("tmpfs %q: the path must be absolute", spec)
	}
	var data []string
	for _, o := range strings.Split(opts, ",") {
		key, val, _ := strings.Cut(o, "=")
		var err error
		switch key {
		case "", "rw", "nosuid", "nodev":
		case "ro":
			m.ReadOnly = true
		case "exec", "noexec":
			m.Exec = key == "exec"
		case "size":
			m.Size, err = units.RAMInBytes(val)
		case "mode":
			var mode uint64
			mode, err = strconv.ParseUint(val, 8, 32)
			m.Mode = uint32(mode)
		case "uid", "gid", "nr_inodes":
			if _, err = strconv.ParseUint(val, 10, 64); err == nil {
				data = append(data, o)
			}
		default:
			return m, fmt.Errorf("tmpfs %q: option %q is not supported (ro, rw, exec, noexec, size, mode, uid, gid, nr_inodes are)", spec, o)
		}
		if err != nil {
			return m, fmt.Errorf("tmpfs %q: option %q: bad value", spec, o)
		}
	}
	m.Data = strings.Join(data, ",")
	return m, nil
}

// LogRotation is the service's json log rotation, from logging.options as Docker's
// json-file driver reads them: max-size (bytes, or with a k, m or g suffix, powers of
// 1000; unset: 0, no rotation) and max-file (files kept, default 1). The "local" driver
// rotates by default at 20m with 5 files, as Docker's does, and so does the json log
// kept beside the syslog and journald drivers (Docker's dual-logging cache, whose
// cache-max-size and cache-max-file set them). Load refused options Docker refuses;
// for such options it returns 0, 1.
func (s ServiceConfig) LogRotation() (maxSize int64, maxFiles int) {
	size, files, _, err := s.logRotation()
	if err != nil {
		return 0, 1
	}
	return size, files
}

// logRotation reads the options; an error names the option Docker would refuse.
func (s ServiceConfig) logRotation() (size int64, files int, option string, err error) {
	if s.Logging == nil {
		return 0, 1, "", nil
	}
	files = 1
	opts := s.Logging.Options
	switch s.Logging.Driver {
	case "local":
		size, files = 20_000_000, 5
	case "syslog", "journald":
		return s.cacheRotation()
	}
	if v, ok := opts["max-size"]; ok {
		if size, err = units.FromHumanSize(v); err != nil || size <= 0 {
			return 0, 0, "max-size", fmt.Errorf("%q: not a size", v)
		}
	}
	if v, ok := opts["max-file"]; ok {
		if files, err = strconv.Atoi(v); err != nil || files < 1 {
			return 0, 0, "max-file", fmt.Errorf("%q: not a number of files >= 1", v)
		}
		if files > 1 && size == 0 {
			return 0, 0, "max-file", fmt.Errorf("%q needs max-size", v)
		}
	}
	return size, files, "", nil
}

// cacheRotation is the rotation of the dual-logging cache: cache-max-size and
// cache-max-file, 20m and 5 by default, as Docker's.
func (s ServiceConfig) cacheRotation() (size int64, files int, option string, err error) {
	size, files = 20_000_000, 5
	opts := s.Logging.Options
	if v, ok := opts["cache-max-size"]; ok {
		if size, err = units.FromHumanSize(v); err != nil || size <= 0 {
			return 0, 0, "cache-max-size", fmt.Errorf("%q: not a size", v)
		}
	}
	if v, ok := opts["cache-max-file"]; ok {
		if files, err = strconv.Atoi(v); err != nil || files < 1 {
			return 0, 0, "cache-max-file", fmt.Errorf("%q: not a number of files >= 1", v)
		}
	}
	return size, files, "", nil
}

// deviceRuleRE is Docker's syntax for a device cgroup rule (opts.ValidateDeviceCgroupRule).
var deviceRuleRE = regexp.MustCompile(`^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$`)

// checkDeviceRule refuses a device_cgroup_rules entry that is not Docker's syntax
// ("c 1:3 mr", "a *:* rwm"), or whose numbers are past 2^31-1.
func checkDeviceRule(s string) error {
	m := deviceRuleRE.FindStringSubmatch(s)
	if m == nil {
		return fmt.Errorf("device cgroup rule %q: want \"TYPE MAJOR:MINOR ACCESS\" (type a, b or c; numbers or *; access of r, w, m)", s)
	}
	for _, n := range m[2:4] {
		if _, err := strconv.ParseInt(n, 10, 32); n != "*" && err != nil {
			return fmt.Errorf("device cgroup rule %q: number %s out of range", s, n)
		}
	}
	return nil
}
