package engine

import (
	"fmt"
	"regexp"
	"strconv"
)

// DeviceRule is one entry of a device allow-list, as the v1 devices controller and
// Docker's --device-cgroup-rule (Compose `device_cgroup_rules:`) write it:
// "c 1:3 rwm", "b 8:* r", "a *:* rwm". Type 'a' matches char and block devices; a
// Major or Minor of -1 is the wildcard "*"; Access is a subset of "rwm" (read, write,
// mknod).
type DeviceRule struct {
	Type         byte // 'a', 'b' or 'c'
	Major, Minor int64
	Access       string
}

// deviceRuleRE is Docker's syntax for a device cgroup rule (opts.ValidateDeviceCgroupRule).
var deviceRuleRE = regexp.MustCompile(`^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$`)

// ParseDeviceRule reads a rule in Docker's syntax ("c 1:3 mr", "a *:* rwm"). It returns
// ErrInvalid for anything else, or for numbers past 2^31-1 (real majors have 12 bits,
// minors 20).
func ParseDeviceRule(s string) (DeviceRule, error) {
	m := deviceRuleRE.FindStringSubmatch(s)
	if m == nil {
		return DeviceRule{}, fmt.Errorf("device cgroup rule %q: want \"TYPE MAJOR:MINOR ACCESS\" (type a, b or c; numbers or *; access of r, w, m): %w", s, ErrInvalid)
	}
	r := DeviceRule{Type: m[1][0], Access: m[4]}
	for i, p := range []*int64{&r.Major, &r.Minor} {
		if m[2+i] == "*" {
			*p = -1
			continue
		}
		n, err := strconv.ParseInt(m[2+i], 10, 32)
		if err != nil {
			return DeviceRule{}, fmt.Errorf("device cgroup rule %q: number %s out of range: %w", s, m[2+i], ErrInvalid)
		}
		*p = n
	}
	return r, nil
}

// String writes the rule as the v1 devices.allow file takes it.
func (r DeviceRule) String() string {
	num := func(n int64) string {
		if n < 0 {
			return "*"
		}
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprintf("%c %s:%s %s", r.Type, num(r.Major), num(r.Minor), r.Access)
}

// defaultDeviceRules is the allow-list of Docker (moby's default spec plus runc's
// built-in rules): mknod of any node, and access to null, zero, full, random, urandom,
// tty, console, ptmx, the ptys and tun. Everything else is denied; /dev/fuse (10:229)
// among them.
var defaultDeviceRules = []DeviceRule{
	{'c', -1, -1, "m"}, {'b', -1, -1, "m"},
	{'c', 1, 3, "rwm"}, {'c', 1, 5, "rwm"}, {'c', 1, 7, "rwm"}, {'c', 1, 8, "rwm"}, {'c', 1, 9, "rwm"},
	{'c', 5, 0, "rwm"}, {'c', 5, 1, "rwm"}, {'c', 5, 2, "rwm"}, {'c', 136, -1, "rwm"},
	{'c', 10, 200, "rwm"},
}

// deviceAllowList is the container's whole allow-list: the defaults, then the rules for
// its devices, then its device cgroup rules.
func deviceAllowList(devs []DeviceRule, cgroupRules []string) ([]DeviceRule, error) {
	rules := append(append([]DeviceRule{}, defaultDeviceRules...), devs...)
	for _, s := range cgroupRules {
		r, err := ParseDeviceRule(s)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}
