package kube

import (
	"github.com/berth-dev/berth/compose"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// networkLabelPrefix starts the labels that mark a pod as a member of a compose network.
const networkLabelPrefix = "berth.dev/network-"

// networkLabel marks a pod as a member of a compose network.
func networkLabel(network string) string { return networkLabelPrefix + kubeName(network, 40) }

// networks are the networks the service's pod is on (none with a network_mode).
func networks(s compose.ServiceConfig) []string {
	if s.NetworkMode != "" {
		return nil
	}
	return sortedKeys(s.Networks)
}

// networkPolicies isolate the networks as berth's bridges do: a pod takes traffic only
// from the members of its networks, and, on its published ports, from anywhere. A pod
// of an internal network sends only to its members (and to the cluster's DNS).
func (c *converter) networkPolicies() {
	members := map[string]bool{}
	for _, s := range c.p.Services {
		for _, n := range networks(s) {
			members[n] = true
		}
		if ports := c.publishedTargets(s); len(ports) > 0 {
			c.add(c.policy(c.names[s.Name]+"-published", c.selector(s.Name), []networkingv1.NetworkPolicyIngressRule{{Ports: ports}}, nil))
		}
	}
	for _, n := range sortedKeys(members) {
		sel := map[string]string{networkLabel(n): "true"}
		peers := []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: sel}}}
		var egress []networkingv1.NetworkPolicyEgressRule
		if c.p.Networks[n].Internal {
			egress = []networkingv1.NetworkPolicyEgressRule{{To: peers}, {Ports: dnsPorts()}}
		}
		c.add(c.policy("network-"+kubeName(n, 40), sel, []networkingv1.NetworkPolicyIngressRule{{From: peers}}, egress))
	}
}

func (c *converter) policy(name string, sel map[string]string, in []networkingv1.NetworkPolicyIngressRule, out []networkingv1.NetworkPolicyEgressRule) *networkingv1.NetworkPolicy {
	types := []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	if out != nil {
		types = append(types, networkingv1.PolicyTypeEgress)
	}
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: c.meta(name, nil),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: sel},
			PolicyTypes: types,
			Ingress:     in,
			Egress:      out,
		},
	}
}

// publishedTargets are the container ports the service publishes.
func (c *converter) publishedTargets(s compose.ServiceConfig) []networkingv1.NetworkPolicyPort {
	var out []networkingv1.NetworkPolicyPort
	seen := map[string]bool{}
	for _, p := range s.Ports {
		if p.Published == "" || p.Target == 0 {
			continue
		}
		proto := protocol(p.Protocol)
		port := intstr.FromInt32(int32(p.Target))
		if key := port.String() + string(proto); !seen[key] {
			seen[key] = true
			out = append(out, networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &port})
		}
	}
	return out
}

func dnsPorts() []networkingv1.NetworkPolicyPort {
	udp, tcp := corev1.ProtocolUDP, corev1.ProtocolTCP
	port := intstr.FromInt32(53)
	return []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &port}, {Protocol: &tcp, Port: &port}}
}
