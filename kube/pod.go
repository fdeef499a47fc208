package kube

import (
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/compose"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// podSpec is the pod of a service: its one container, the init containers of its
// dependencies, its volumes and the pod-wide settings.
func (c *converter) podSpec(s compose.ServiceConfig) corev1.PodSpec {
	vols, mounts := c.volumes(s)
	ctr := c.container(s)
	ctr.VolumeMounts = mounts
	spec := corev1.PodSpec{
		Containers:     []corev1.Container{ctr},
		InitContainers: c.waits(s),
		Volumes:        vols,
		Hostname:       c.hostname(s),
		HostAliases:    hostAliases(s.ExtraHosts),
		NodeSelector:   c.nodeSelector(s),
	}
	if c.waitsForJob(s) {
		spec.ServiceAccountName = waitAccount
	}
	if s.StopGracePeriod != nil {
		secs := int64(time.Duration(*s.StopGracePeriod).Round(time.Second) / time.Second)
		spec.TerminationGracePeriodSeconds = &secs
	}
	c.namespaces(s, &spec)
	c.dnsConfig(s, &spec)
	spec.SecurityContext = c.podSecurity(s)
	return spec
}

// hostname keeps a hostname that is a DNS label.
func (c *converter) hostname(s compose.ServiceConfig) string {
	if s.Hostname == "" {
		return ""
	}
	if !isDNSLabel(s.Hostname) {
		c.warn("services."+s.Name+".hostname", "hostname %q is not a DNS label; the pod keeps its own name", s.Hostname)
		return ""
	}
	return s.Hostname
}

// hostAliases turns extra_hosts into /etc/hosts entries, one per address, sorted.
func hostAliases(h compose.HostsList) []corev1.HostAlias {
	byIP := map[string][]string{}
	for host, ips := range h {
		for _, ip := range ips {
			ip = strings.Trim(ip, "[]")
			if net.ParseIP(ip) == nil {
				continue // host-gateway and other names have no meaning in a cluster
			}
			byIP[ip] = append(byIP[ip], host)
		}
	}
	var out []corev1.HostAlias
	for _, ip := range sortedKeys(byIP) {
		hosts := byIP[ip]
		sort.Strings(hosts)
		out = append(out, corev1.HostAlias{IP: ip, Hostnames: hosts})
	}
	return out
}

// nodeSelector pins the pod to nodes of the service's platform (OS and architecture)
// and of its placement constraints that Kubernetes can say.
func (c *converter) nodeSelector(s compose.ServiceConfig) map[string]string {
	sel := map[string]string{}
	if s.Platform != "" {
		parts := strings.Split(s.Platform, "/")
		sel["kubernetes.io/os"] = parts[0]
		if len(parts) > 1 {
			sel["kubernetes.io/arch"] = parts[1]
		}
	}
	if s.Deploy != nil {
		c.placement(s, s.Deploy.Placement, sel)
	}
	if len(sel) == 0 {
		return nil
	}
	return sel
}

// nodeFields are Swarm's node attributes that are node labels in Kubernetes.
var nodeFields = map[string]string{
	"node.hostname":      "kubernetes.io/hostname",
	"node.platform.os":   "kubernetes.io/os",
	"node.platform.arch": "kubernetes.io/arch",
}

// placement turns "node.labels.KEY==VALUE" and the node's hostname, OS and
// architecture constraints into node selector entries; others (!=, node.role, ...)
// and preferences are warned of.
func (c *converter) placement(s compose.ServiceConfig, p compose.Placement, sel map[string]string) {
	base := "services." + s.Name + ".deploy.placement"
	for i, con := range p.Constraints {
		field, value, ok := strings.Cut(strings.ReplaceAll(con, " ", ""), "==")
		label, isLabel := strings.CutPrefix(field, "node.labels.")
		switch {
		case ok && isLabel && len(validation.IsQualifiedName(label)) == 0 && len(validation.IsValidLabelValue(value)) == 0:
			sel[label] = value
		case ok && nodeFields[field] != "":
			sel[nodeFields[field]] = archName(value)
		default:
			c.warn(base+".constraints["+strconv.Itoa(i)+"]", "constraint %q has no node selector equivalent; left out", con)
		}
	}
	if len(p.Preferences) > 0 {
		c.warn(base+".preferences", "placement preferences are Swarm's (pod topology spread in Kubernetes); left out")
	}
	if p.MaxReplicas > 0 {
		c.warn(base+".max_replicas_per_node", "max_replicas_per_node is Swarm's (pod topology spread in Kubernetes); left out")
	}
}

// archName is Kubernetes' name of an architecture Swarm names as uname does.
func archName(a string) string {
	switch a {
	case "x86_64":
		return "amd64"
	case "aarch64":
		return "arm64"
	}
	return a
}

// namespaces maps network_mode, ipc and pid host sharing; sharing another service's
// namespaces has no Kubernetes equivalent across pods.
func (c *converter) namespaces(s compose.ServiceConfig, spec *corev1.PodSpec) {
	base := "services." + s.Name + "."
	switch mode := s.NetworkMode; {
	case mode == "host":
		spec.HostNetwork = true
		spec.DNSPolicy = corev1.DNSClusterFirstWithHostNet
	case mode == "none":
		c.warn(base+"network_mode", "network_mode none has no Kubernetes equivalent; the pod is on the cluster network")
	case mode != "" && mode != "bridge" && mode != "default":
		c.warn(base+"network_mode", "network_mode %q: pods cannot share another pod's network; the pod has its own", mode)
	}
	switch s.Ipc {
	case "", "private", "shareable":
	case "host":
		spec.HostIPC = true
	default:
		c.warn(base+"ipc", "ipc %q: pods cannot share another pod's IPC namespace; the pod has its own", s.Ipc)
	}
	switch s.Pid {
	case "":
	case "host":
		spec.HostPID = true
	default:
		c.warn(base+"pid", "pid %q: pods cannot share another pod's PID namespace; the pod has its own", s.Pid)
	}
}

// dnsConfig adds dns_search and dns_opt to the cluster's DNS settings; dns servers
// would replace the cluster's DNS (and service names with it), so they are warned of.
func (c *converter) dnsConfig(s compose.ServiceConfig, spec *corev1.PodSpec) {
	base := "services." + s.Name + "."
	if len(s.DNS) > 0 {
		c.warn(base+"dns", "DNS servers are not set: the pod uses the cluster's DNS, which resolves service names")
	}
	if len(s.DNSSearch) == 0 && len(s.DNSOpts) == 0 {
		return
	}
	cfg := &corev1.PodDNSConfig{Searches: s.DNSSearch}
	for _, o := range s.DNSOpts {
		name, value, ok := strings.Cut(o, ":")
		opt := corev1.PodDNSConfigOption{Name: name}
		if ok {
			opt.Value = &value
		}
		cfg.Options = append(cfg.Options, opt)
	}
	spec.DNSConfig = cfg
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
