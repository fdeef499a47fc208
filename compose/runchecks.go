package compose

import (
	"fmt"
	"net"
	"net/netip"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// CheckService lists, at their places, the values of svc (a service of p, or a one-off
// copy of one with its name) that Docker's engine refuses when it creates the container:
// restart policies, published ports, tmpfs options, device cgroup rules,
// json-file log options, and the ranges of the resource, cgroup and mount keys. Compose's
// config prints them (Load keeps them, so berth config prints what Compose prints);
// `up`, `create` and `run` refuse them before anything is made. The list is sorted and
// nil when there is nothing to refuse, or when p was loaded with NoInterpolate.
func (p *Project) CheckService(svc ServiceConfig) ErrorList {
	if p.raw {
		return nil
	}
	var errs ErrorList
	c := runChecker{p: p, errs: &errs, base: "services." + svc.Name}
	c.service(svc)
	errs.Sort()
	return errs
}

// RunWarnings is CheckService of every service, sorted by place, as warnings for `berth
// config`: the file loads (as in Compose), but `up` would refuse these values.
func (p *Project) RunWarnings() []Warning {
	var all ErrorList
	for _, name := range p.ServiceNames() {
		all = append(all, p.CheckService(p.Services[name])...)
	}
	all.Sort()
	var out []Warning
	for _, e := range all {
		out = append(out, Warning{Pos: e.Pos, Path: e.Path, Msg: e.Msg + " (Docker refuses it at up)"})
	}
	return out
}

type runChecker struct {
	p    *Project
	errs *ErrorList
	base string
}

// fail reports the value of field (relative to the service) at its place.
func (c runChecker) fail(field string, format string, args ...any) {
	path := c.base + "." + field
	c.errs.Add(posOf(c.p.Positions, path), path, format, args...)
}

func (c runChecker) service(s ServiceConfig) {
	if _, field, err := s.restartPolicy(); err != nil {
		c.fail(field, "%v", err)
	}
	for i, pt := range s.Ports {
		c.port(fmt.Sprintf("ports[%d]", i), pt)
	}
	for i, t := range s.Tmpfs {
		if _, err := ParseTmpfs(t); err != nil {
			c.fail(fmt.Sprintf("tmpfs[%d]", i), "%v", err)
		}
	}
	for i, r := range s.DeviceCgroupRules {
		if err := checkDeviceRule(r); err != nil {
			c.fail(fmt.Sprintf("device_cgroup_rules[%d]", i), "%v", err)
		}
	}
	if _, _, option, err := s.logRotation(); err != nil {
		c.fail("logging.options."+option, "%v", err)
	}
	c.linuxKeys(s)
	c.attachments(s)
	for i, v := range s.Volumes {
		c.mountOptions(fmt.Sprintf("volumes[%d]", i), v)
	}
}

func (c runChecker) port(field string, pt ServicePortConfig) {
	if pt.Published != "" {
		if _, _, err := PortRange(pt.Published); err != nil {
			c.fail(field+".published", "%q: want a port or a range of ports (8000-8010) up to 65535", pt.Published)
		}
	}
}

// linuxKeys refuses the values of the resource, process and cgroup keys that Docker
// refuses.
func (c runChecker) linuxKeys(s ServiceConfig) {
	bad := func(field string, v any, want string) { c.fail(field, "%v: want %s", v, want) }
	if s.Cgroup != "" && s.Cgroup != "host" && s.Cgroup != "private" {
		bad("cgroup", s.Cgroup, "host or private")
	}
	if s.OomScoreAdj < -1000 || s.OomScoreAdj > 1000 {
		bad("oom_score_adj", s.OomScoreAdj, "-1000 to 1000")
	}
	if s.MemSwappiness < 0 || s.MemSwappiness > 100 {
		bad("mem_swappiness", int64(s.MemSwappiness), "0 to 100")
	}
	if strings.Contains("/"+s.CgroupParent+"/", "/../") {
		bad("cgroup_parent", s.CgroupParent, "a cgroup path without ..")
	}
	if s.CPURTRuntime < 0 || s.CPURTPeriod < 0 || s.CPURTPeriod > 0 && s.CPURTRuntime > s.CPURTPeriod {
		bad("cpu_rt_runtime", s.CPURTRuntime, "at most cpu_rt_period")
	}
	b := s.BlkioConfig
	if b == nil {
		return
	}
	if b.Weight != 0 && (b.Weight < 10 || b.Weight > 1000) {
		bad("blkio_config.weight", b.Weight, "10 to 1000")
	}
	for i, d := range b.WeightDevice {
		if d.Weight < 10 || d.Weight > 1000 {
			bad(fmt.Sprintf("blkio_config.weight_device[%d].weight", i), d.Weight, "10 to 1000")
		}
	}
}

// attachments refuses the addresses, MAC addresses and interface names of the
// service's network attachments that Docker refuses.
func (c runChecker) attachments(s ServiceConfig) {
	if s.MacAddress != "" && !isMAC(s.MacAddress) {
		c.fail("mac_address", "%q is not a valid mac address", s.MacAddress)
	}
	for n, sn := range s.Networks {
		if sn == nil {
			continue
		}
		field := "networks." + n + "."
		if a, err := netip.ParseAddr(sn.Ipv4Address); sn.Ipv4Address != "" && (err != nil || !a.Is4()) {
			c.fail(field+"ipv4_address", "%q is not an IPv4 address", sn.Ipv4Address)
		}
		if a, err := netip.ParseAddr(sn.Ipv6Address); sn.Ipv6Address != "" && (err != nil || !a.Is6()) {
			c.fail(field+"ipv6_address", "%q is not an IPv6 address", sn.Ipv6Address)
		}
		for i, ip := range sn.LinkLocalIPs {
			if _, err := netip.ParseAddr(ip); err != nil {
				c.fail(fmt.Sprintf("%slink_local_ips[%d]", field, i), "%q is not an IP address", ip)
			}
		}
		if sn.MacAddress != "" && !isMAC(sn.MacAddress) {
			c.fail(field+"mac_address", "%q is not a valid mac address", sn.MacAddress)
		}
		if name := sn.InterfaceName; name != "" && (len(name) > 15 || name == "." || name == ".." || strings.ContainsAny(name, "/: \t\n")) {
			c.fail(field+"interface_name", "%q: want an interface name of at most 15 bytes, without '/', ':' or spaces", name)
		}
	}
}

// isMAC reports whether s is an Ethernet (6-byte) MAC address.
func isMAC(s string) bool {
	m, err := net.ParseMAC(strings.TrimSpace(s))
	return err == nil && len(m) == 6
}

// propagations are the bind propagations Docker takes.
var propagations = []string{"", "private", "rprivate", "shared", "rshared", "slave", "rslave"}

// mountOptions refuses a bind propagation Docker does not know and a subpath that leaves
// its volume or image.
func (c runChecker) mountOptions(field string, v ServiceVolumeConfig) {
	if v.Bind != nil && !slices.Contains(propagations, v.Bind.Propagation) {
		c.fail(field+".bind.propagation", "%q: want one of %s", v.Bind.Propagation, strings.Join(propagations[1:], ", "))
	}
	sub, at := "", ""
	if v.Volume != nil {
		sub, at = v.Volume.Subpath, ".volume.subpath"
	}
	if v.Image != nil {
		sub, at = v.Image.Subpath, ".image.subpath"
	}
	if sub != "" && (path.IsAbs(sub) || !filepath.IsLocal(sub)) {
		c.fail(field+at, "%q: want a relative path within the %s", sub, v.Type)
	}
}

// ErrorAt is an Error at the place of the field path (or of its nearest parent with a
// recorded place), for callers that find, before anything is made, what this host or
// berth cannot run.
func (p *Project) ErrorAt(path, format string, args ...any) *Error {
	return &Error{Pos: posOf(p.Positions, path), Path: path, Msg: fmt.Sprintf(format, args...)}
}
