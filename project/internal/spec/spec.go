package spec

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/dnsserver"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Resources are what a container's spec is built from besides its service and
// image: the objects the executor made (or found made) for it.
type Resources struct {
	Anon    map[string]string // anonymous volumes: container path -> volume ID
	Objects []engine.Mount    // secrets and configs, their files written
	// ImageLayers are the layers of the images mounted (volumes of type image), by
	// mount target.
	ImageLayers map[string][]string
	Addrs       []netip.Addr // its addresses, first network first
	Gateway     netip.Addr   // of its first network; invalid without networks
	// HostResolvConf is the host's /etc/resolv.conf, forwarded to by the embedded DNS
	// (or copied with network_mode: host).
	HostResolvConf []byte
	// ExitHook, ExitHookEnv and Socket are the restart policy's exit hook and the
	// supervisor socket that skips it (none for a container that never restarts).
	ExitHook, ExitHookEnv []string
	Socket                string
	// NetPeer is the spec of the container whose network this one joins
	// (network_mode service: or container:), nil otherwise.
	NetPeer *engine.Spec
	// IPCPeer and PIDPeer are the IDs of the containers whose ipc and pid namespaces
	// this one joins (ipc, pid: service: or container:), "" otherwise.
	IPCPeer, PIDPeer string
	// VolumesFrom are the mounts of its volumes_from sources (InheritedMounts), in
	// order.
	VolumesFrom []engine.Mount
}

// Build is the engine spec of container c of svc (of p), running the image whose
// config is img and whose unpacked layers are layers, from the resources the executor
// made for it (paths: where its volumes live). It makes nothing: it only reads the env
// files, the seccomp profile svc names and the host's CDI specs, and looks for its log
// driver's socket.
func Build(paths state.Paths, p *compose.Project, c *state.ContainerState, svc compose.ServiceConfig, img v1.Config, layers []string, res Resources) (engine.Spec, error) {
	spec := baseSpec(svc)
	spec.ID, spec.LayerDirs, spec.Image, spec.Hostname = c.ID, layers, img, c.Hostname
	spec.Labels = c.Labels // Down finds the project's containers by them if its state is lost
	env, err := environment(p, svc)
	if err != nil {
		return spec, err
	}
	spec.Env = env
	if spec.Seccomp, err = SeccompProfile(p, svc); err != nil {
		return spec, err
	}
	vols, err := mounts(paths, p, svc, img, res.Anon)
	if err != nil {
		return spec, err
	}
	for i := range vols {
		if vols[i].Type == "image" {
			vols[i].Image = &engine.MountImage{Layers: res.ImageLayers[vols[i].Target]}
		}
	}
	spec.Mounts = sortMounts(append(withInherited(vols, res.VolumesFrom), res.Objects...))
	spec.NetNSPath = c.NetNS
	spec.Hosts = hostsFile(svc, c.Hostname, res.Addrs, hostGateway(svc, res.Gateway))
	spec.ResolvConf = resolvConf(svc, res)
	spec.ExitHook, spec.ExitHookEnv, spec.ExitHookUnlessListening = res.ExitHook, res.ExitHookEnv, res.Socket
	if res.NetPeer != nil {
		joinNetwork(&spec, res.NetPeer)
	}
	namespaceModes(&spec, svc, res)
	spec.LogForward, _ = logForward(svc, c) // nil on a host without the socket: HostWarnings says so
	if err := cdiDevices(svc, &spec); err != nil {
		return spec, err
	}
	return spec, nil
}

// resolvConf is the container's /etc/resolv.conf: the embedded DNS on its first
// network's gateway (forwarding to its dns: servers, else the host's), else its dns:
// servers, else the host's with network_mode: host; dns_search and dns_opt apply over
// it. Empty: the image's. As Docker, dns: does not cut a container on a network off
// from the service names.
func resolvConf(svc compose.ServiceConfig, res Resources) string {
	var conf string
	switch {
	case res.Gateway.IsValid():
		conf = string(dnsserver.ResolvConf(res.Gateway, res.HostResolvConf))
	case len(svc.DNS) > 0:
		var b strings.Builder
		for _, s := range svc.DNS {
			fmt.Fprintf(&b, "nameserver %s\n", s)
		}
		conf = b.String()
	case svc.NetworkMode == "host":
		conf = string(res.HostResolvConf)
	}
	if conf == "" {
		return ""
	}
	return resolvOverrides(conf, svc.DNSSearch, svc.DNSOpts)
}

// resolvOverrides applies dns_search (it replaces the search domains) and dns_opt (added
// to the options, replacing those of the same name) to the resolv.conf conf, as Docker
// does.
func resolvOverrides(conf string, search, opts []string) string {
	if len(search) == 0 && len(opts) == 0 {
		return conf
	}
	var lines []string
	var options []string
	for _, l := range strings.Split(strings.TrimSuffix(conf, "\n"), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) > 0 && f[0] == "search" && len(search) > 0:
			continue
		case len(f) > 0 && f[0] == "options":
			options = append(options, f[1:]...)
			continue
		}
		lines = append(lines, l)
	}
	if len(search) > 0 {
		lines = append(lines, "search "+strings.Join(search, " "))
	}
	for _, o := range opts {
		name, _, _ := strings.Cut(o, ":")
		options = slices.DeleteFunc(options, func(x string) bool { n, _, _ := strings.Cut(x, ":"); return n == name })
		options = append(options, o)
	}
	if len(options) > 0 {
		lines = append(lines, "options "+strings.Join(options, " "))
	}
	return strings.Join(lines, "\n") + "\n"
}

// environment returns the service's environment as KEY=VALUE, sorted (the loader has
// folded its env_file files into it, parsed as Compose parses them). A key without a
// value takes the project environment's value, or is left out.
func environment(p *compose.Project, svc compose.ServiceConfig) ([]string, error) {
	vals := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := vals[k]; !ok {
			order = append(order, k)
		}
		vals[k] = v
	}
	keys := make([]string, 0, len(svc.Environment))
	for k := range svc.Environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := svc.Environment[k]; v != nil {
			set(k, *v)
		} else if v, ok := p.Env[k]; ok {
			set(k, v)
		}
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, k+"="+vals[k])
	}
	return out, nil
}

// hostGatewayName is the extra_hosts address Docker replaces by the host's address.
const hostGatewayName = "host-gateway"

// hostGateway is the address extra_hosts' host-gateway stands for: the host's address on
// the container's first network (its gateway; Docker's default is its default bridge's
// gateway, which berth has not), the host's loopback with network_mode: host, and none
// (the entry is left out) without a network.
func hostGateway(svc compose.ServiceConfig, gateway netip.Addr) netip.Addr {
	if !gateway.IsValid() && svc.NetworkMode == "host" {
		return netip.MustParseAddr("127.0.0.1")
	}
	return gateway
}

// hostsFile is /etc/hosts: localhost, the container's own addresses and extra_hosts,
// whose host-gateway is hostGW.
func hostsFile(svc compose.ServiceConfig, hostname string, addrs []netip.Addr, hostGW netip.Addr) string {
	var b strings.Builder
	b.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	if svc.DomainName != "" { // Docker: the FQDN first, so `hostname -f` finds it
		hostname = hostname + "." + svc.DomainName + " " + hostname
	}
	for _, a := range addrs {
		fmt.Fprintf(&b, "%s\t%s\n", a, hostname)
	}
	hosts := make([]string, 0, len(svc.ExtraHosts))
	for h := range svc.ExtraHosts {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		for _, ip := range svc.ExtraHosts[h] {
			if ip == hostGatewayName {
				if !hostGW.IsValid() {
					continue
				}
				ip = hostGW.String()
			}
			fmt.Fprintf(&b, "%s\t%s\n", ip, h)
		}
	}
	return b.String()
}
