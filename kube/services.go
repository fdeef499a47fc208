package kube

import (
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// services makes the Services of one compose service:
//
//   - <name>, headless: the name resolves to the (ready) pods' addresses and every port
//     answers, as berth's DNS resolves a service name to its containers;
//   - one headless Service per network alias, the same way;
//   - <name>-published for published ports, of Options.PublishedType.
func (c *converter) services(s compose.ServiceConfig) {
	name := c.names[s.Name]
	ports := servicePorts(containerPorts(s))
	c.add(c.headless(s, name, ports))
	for _, a := range c.aliases(s) {
		c.add(c.headless(s, a, ports))
	}
	if pub := c.publishedPorts(s); len(pub) > 0 {
		svc := &corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: c.meta(name+"-published", map[string]string{nameLabel: name}),
			Spec:       corev1.ServiceSpec{Type: c.opts.PublishedType, Selector: c.selector(s.Name), Ports: pub},
		}
		c.add(svc)
	}
}

func (c *converter) headless(s compose.ServiceConfig, name string, ports []corev1.ServicePort) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: c.meta(name, map[string]string{nameLabel: c.names[s.Name]}),
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			Selector:  c.selector(s.Name),
			Ports:     ports,
		},
	}
}

// servicePorts names each container port (a Service with several ports must).
func servicePorts(cps []corev1.ContainerPort) []corev1.ServicePort {
	var out []corev1.ServicePort
	for _, p := range cps {
		out = append(out, corev1.ServicePort{
			Name:       strings.ToLower(string(p.Protocol)) + "-" + strconv.Itoa(int(p.ContainerPort)),
			Protocol:   p.Protocol,
			Port:       p.ContainerPort,
			TargetPort: intstr.FromInt32(p.ContainerPort),
		})
	}
	return out
}

// publishedPorts are the ports of <name>-published: each published port (the target's
// number when none is given) to its target. A host address has no meaning there.
func (c *converter) publishedPorts(s compose.ServiceConfig) []corev1.ServicePort {
	var out []corev1.ServicePort
	seen := map[string]bool{}
	for i, p := range s.Ports {
		path := "services." + s.Name + ".ports[" + strconv.Itoa(i) + "]"
		if p.Published == "" || p.Target == 0 {
			continue // exposed to other services only
		}
		lo, hi := portRange(p.Published)
		if lo == 0 {
			c.warn(path, "published port %q is not a port number; left out", p.Published)
			continue
		}
		if lo != hi {
			c.warn(path, "a published range (%s) is one port in Kubernetes: %d", p.Published, lo)
		}
		if p.HostIP != "" {
			c.warn(path, "host_ip %s: a Service listens on the cluster's addresses", p.HostIP)
		}
		proto := protocol(p.Protocol)
		key := strconv.Itoa(int(lo)) + "/" + string(proto)
		if seen[key] {
			continue
		}
		seen[key] = true
		sp := corev1.ServicePort{
			Name:       strings.ToLower(string(proto)) + "-" + strconv.Itoa(int(lo)),
			Protocol:   proto,
			Port:       lo,
			TargetPort: intstr.FromInt32(int32(p.Target)),
		}
		if c.opts.PublishedType == corev1.ServiceTypeNodePort {
			if lo >= 30000 && lo <= 32767 {
				sp.NodePort = lo
			} else {
				c.warn(path, "published port %d is outside the NodePort range (30000-32767): the cluster picks the node port", lo)
			}
		}
		out = append(out, sp)
	}
	return out
}

// aliases are the service's network aliases as Service names, sorted, without the
// service's own name and without names another service or alias already holds.
func (c *converter) aliases(s compose.ServiceConfig) []string {
	taken := map[string]bool{}
	for _, n := range c.names {
		taken[n] = true
	}
	var out []string
	for _, net := range sortedKeys(s.Networks) {
		cfg := s.Networks[net]
		if cfg == nil {
			continue
		}
		for i, a := range cfg.Aliases {
			n := kubeName(a, 63)
			if n == c.names[s.Name] || contains(out, n) {
				continue
			}
			if taken[n] || c.aliasOwner[n] != "" {
				c.warn("services."+s.Name+".networks."+net+".aliases["+strconv.Itoa(i)+"]",
					"alias %q is already the name of another service or alias: a Service name resolves to one service's pods", a)
				continue
			}
			c.aliasOwner[n] = s.Name
			out = append(out, n)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
