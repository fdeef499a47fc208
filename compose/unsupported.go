package compose

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Warning is something about the project that is not an error: a key berth parses and
// keeps in its model but cannot act on yet (Unsupported: `berth up`, `create` and `run`
// print them and run the rest), or a variable that is not set (Project.Warnings). It
// prints as "file:line:col: path: message".
type Warning struct {
	Pos  Position
	Path string // field path, like services.web.gpus
	Msg  string
}

// String returns "file:line:col: path: message".
func (w Warning) String() string { return w.Pos.String() + ": " + w.Path + ": " + w.Msg }

// unsupportedServiceKeys are the service keys berth parses but does not run, with why.
var unsupportedServiceKeys = map[string]string{
	"credential_spec":    "credential_spec is Windows-only and ignored",
	"isolation":          "isolation is Windows-only and ignored",
	"cpu_count":          "cpu_count is Windows-only and ignored",
	"cpu_percent":        "cpu_percent is Windows-only and ignored",
	"storage_opt":        "storage options are not supported",
	"volume_driver":      "volume drivers other than local are not supported",
	"runtime":            "alternative OCI runtimes are not supported",
	"use_api_socket":     "berth has no Docker API socket to share",
	"provider":           "provider services are not supported: berth cannot start this service",
	"models":             "models (AI models run by Docker Model Runner) are not supported; the service gets no model endpoint variables",
	"pull_refresh_after": "pull_refresh_after is not applied: images are pulled as pull_policy says, without a refresh interval",
	"platform":           "platform is ignored: images run as they are",
	"annotations":        "OCI annotations are not applied",
}

// builtinLogDrivers are the log drivers berth runs (syslog and journald where the host
// has their socket: project warns otherwise).
var builtinLogDrivers = map[string]bool{"json-file": true, "local": true, "none": true, "syslog": true, "journald": true}

// swarmDeployKeys are deploy keys that only Docker Swarm acts on (labels: the Swarm
// service's, not the containers').
var swarmDeployKeys = []string{"placement", "update_config", "rollback_config", "endpoint_mode", "labels"}

// swarmReservations are resource reservations that only Docker Swarm acts on.
var swarmReservations = []string{"cpus", "pids"}

// Unsupported lists, sorted by position, every key of the project that berth parses
// but cannot run yet (newer keys such as models; Windows- and Swarm-only settings; drivers other than
// the built-in ones). An empty result means berth can run everything the files ask
// for. It reads Model and Positions and changes nothing.
func (p *Project) Unsupported() []Warning {
	var out []Warning
	add := func(path, format string, args ...any) {
		out = append(out, Warning{Pos: posOf(p.Positions, path), Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	for _, name := range p.modelServiceNames() {
		p.unsupportedService(name, p.ServiceModels()[name], add)
	}
	if _, ok := p.Model["models"]; ok {
		add("models", "models are not supported")
	}
	jobs, _ := p.Model["jobs"].(map[string]any)
	for name := range jobs { // at the job's key: the job as a whole is not run
		out = append(out, Warning{Pos: keyPosOf(p.Positions, "jobs."+name), Path: "jobs." + name,
			Msg: "jobs are not run: berth loads and prints them but runs services only"})
	}
	nets, _ := p.Model["networks"].(map[string]any)
	for name, v := range nets {
		m, _ := v.(map[string]any)
		if d, ok := m["driver"].(string); ok && d != "bridge" && d != "default" && m["external"] != true {
			add("networks."+name+".driver", "network driver %q is not supported; berth makes bridge networks", d)
		}
	}
	for name, v := range nets {
		m, _ := v.(map[string]any)
		p.unsupportedIPAM(name, m, add)
		if m["enable_ipv4"] == false && m["external"] != true {
			add("networks."+name+".enable_ipv4", "IPv6-only networks are not supported: the network gets an IPv4 subnet too")
		}
		if opts, ok := m["driver_opts"].(map[string]any); ok && len(opts) > 0 {
			add("networks."+name+".driver_opts", "network driver_opts are not applied")
		}
	}
	vols, _ := p.Model["volumes"].(map[string]any)
	for name, v := range vols {
		m, _ := v.(map[string]any)
		if d, ok := m["driver"].(string); ok && d != "local" && m["external"] != true {
			add("volumes."+name+".driver", "volume driver %q is not supported; berth makes local volumes", d)
		}
		if _, ok := m["driver_opts"].(map[string]any); ok && !p.Volumes[name].bindsHostDir() {
			add("volumes."+name+".driver_opts", "driver_opts other than a bind (type: none, o: bind, device: PATH) are not supported; berth makes a plain local volume")
		}
	}
	SortWarnings(out)
	return out
}

// SortWarnings orders warnings by file, line, column, then field path and message.
func SortWarnings(ws []Warning) {
	sort.SliceStable(ws, func(i, j int) bool {
		a, b := ws[i].Pos, ws[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if ws[i].Path != ws[j].Path {
			return ws[i].Path < ws[j].Path
		}
		return ws[i].Msg < ws[j].Msg
	})
}

func (p *Project) unsupportedService(name string, svc map[string]any, add func(path, format string, args ...any)) {
	base := "services." + name
	for k, why := range unsupportedServiceKeys {
		if _, ok := svc[k]; ok {
			add(base+"."+k, "%s", why)
		}
	}
	if m, ok := svc["userns_mode"]; ok && m != "host" {
		add(base+".userns_mode", "user namespaces are not supported: the service runs in the host's user namespace, as userns_mode: host")
	}
	vols, _ := svc["volumes"].([]any)
	for i, v := range vols {
		vm, _ := v.(map[string]any)
		switch t := vm["type"]; t {
		case "npipe", "cluster":
			add(fmt.Sprintf("%s.volumes[%d]", base, i), "%v mounts are not supported yet", t)
		}
	}
	if logging, _ := svc["logging"].(map[string]any); logging != nil {
		if d, ok := logging["driver"].(string); ok && !builtinLogDrivers[d] {
			add(base+".logging.driver", "log driver %q is not supported; berth keeps json-file logs", d)
		}
	}
	svcNets, _ := svc["networks"].(map[string]any)
	for n, v := range svcNets {
		m, _ := v.(map[string]any)
		if _, ok := m["driver_opts"]; ok {
			add(base+".networks."+n+".driver_opts", "driver_opts of a network attachment are not applied")
		}
		if _, ok := m["ipv6_address"]; ok && !p.Networks[n].IPv6() {
			add(base+".networks."+n+".ipv6_address", "ipv6_address is not applied: network %q does not set enable_ipv6: true", n)
		}
	}
	secopts, _ := svc["security_opt"].([]any)
	for i, o := range secopts {
		switch s := fmt.Sprint(o); {
		case strings.HasPrefix(s, "no-new-privileges"), strings.HasPrefix(s, "seccomp=") || strings.HasPrefix(s, "seccomp:"):
			// applied: no_new_privs, and the seccomp profile (unconfined, builtin or a file)
		case s == "apparmor=unconfined", s == "apparmor:unconfined", s == "label=disable", s == "label:disable":
			// what berth does anyway: no AppArmor profile or SELinux label
		default:
			add(fmt.Sprintf("%s.security_opt[%d]", base, i), "security option %q is not applied (berth loads no AppArmor or SELinux policy)", s)
		}
	}
	deploy, _ := svc["deploy"].(map[string]any)
	unsupportedDeploy(base, deploy, add)
}

// unsupportedDeploy warns of the deploy keys of the service at base that only Swarm
// acts on, and of device requests other than CDI ones.
func unsupportedDeploy(base string, deploy map[string]any, add func(path, format string, args ...any)) {
	for _, k := range swarmDeployKeys {
		if v, ok := deploy[k]; ok && !isEmptyMap(v) {
			add(base+".deploy."+k, "deploy.%s is Swarm-only and ignored", k)
		}
	}
	if deploy["mode"] == "global" {
		add(base+".deploy.mode", "deploy.mode global is Swarm-only; berth runs the replicas count")
	}
	res, _ := deploy["resources"].(map[string]any)
	for _, k := range []string{"limits", "reservations"} {
		r, _ := res[k].(map[string]any)
		if _, ok := r["generic_resources"]; ok {
			add(base+".deploy.resources."+k+".generic_resources", "generic resource requests are Swarm-only and ignored")
		}
		for _, sk := range swarmReservations {
			if _, ok := r[sk]; ok && k == "reservations" {
				add(base+".deploy.resources.reservations."+sk, "deploy.resources.reservations.%s is Swarm-only and ignored", sk)
			}
		}
		devs, _ := r["devices"].([]any)
		for i, d := range devs {
			if k == "limits" || !isCDIRequest(d) {
				add(fmt.Sprintf("%s.deploy.resources.%s.devices[%d]", base, k, i),
					"device requests other than GPUs (capabilities: [gpu]) and driver cdi are not supported")
			}
		}
	}
}

// isCDIRequest reports whether a deploy device request is one berth serves through the
// host's CDI specs: capability gpu, or driver cdi.
func isCDIRequest(d any) bool {
	m, _ := d.(map[string]any)
	caps, _ := m["capabilities"].([]any)
	return m["driver"] == "cdi" || slices.Contains(caps, any("gpu"))
}

// unsupportedIPAM warns of what berth's address management leaves out of a network's
// ipam: another IPAM driver, its options, reserved aux_addresses, the subnets after the
// first of each family, and IPv6 subnets without enable_ipv6: true.
func (p *Project) unsupportedIPAM(name string, m map[string]any, add func(path, format string, args ...any)) {
	if m["external"] == true {
		return
	}
	ipam, _ := m["ipam"].(map[string]any)
	base := "networks." + name + ".ipam"
	if d, ok := ipam["driver"].(string); ok && d != "default" {
		add(base+".driver", "IPAM driver %q is not supported: berth assigns the addresses itself", d)
	}
	if o, ok := ipam["options"].(map[string]any); ok && len(o) > 0 {
		add(base+".options", "IPAM options are not applied")
	}
	configs, _ := ipam["config"].([]any)
	seen := map[bool]bool{} // per family (true: IPv6), a subnet in use
	for i, c := range configs {
		cm, _ := c.(map[string]any)
		at := fmt.Sprintf("%s.config[%d]", base, i)
		if _, ok := cm["aux_addresses"]; ok {
			add(at+".aux_addresses", "aux_addresses are not reserved: berth may give their addresses to containers")
		}
		v6 := isIPv6Pool(cm)
		switch {
		case v6 && !p.Networks[name].IPv6():
			add(at+".subnet", "the IPv6 subnet is not used: the network does not set enable_ipv6: true")
		case seen[v6]:
			add(at, "berth uses the first subnet of each address family of a network: this one is not used")
		}
		seen[v6] = true
	}
}

// isIPv6Pool reports whether an ipam.config entry is of IPv6, by its subnet or, without
// one, by its gateway or ip_range (as project reads it).
func isIPv6Pool(cm map[string]any) bool {
	if s, ok := cm["subnet"].(string); ok && s != "" {
		return strings.Contains(s, ":")
	}
	gw, _ := cm["gateway"].(string)
	rng, _ := cm["ip_range"].(string)
	return strings.Contains(gw, ":") || strings.Contains(rng, ":")
}

func isEmptyMap(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 0
}

// WarningAt is a Warning at the place of the field path (or of its nearest parent
// with a recorded place), for callers that find what cannot be done on this host.
func (p *Project) WarningAt(path, msg string) Warning {
	return Warning{Pos: p.PositionOf(path), Path: path, Msg: msg}
}

// PositionOf is the place in the compose files of the field at path (services.web.ports[0]),
// or of its nearest recorded parent; the zero Position when none is recorded.
func (p *Project) PositionOf(path string) Position {
	return posOf(p.Positions, path)
}
