package netdriver

import (
	"fmt"
	"net/netip"
	"os"
	"sort"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

// syncRules rebuilds berth's nftables tables from st in one atomic transaction: each table
// is deleted and re-added in the same batch, so the kernel never sees a half-written rule
// set. An empty state removes the tables. It also turns on net.ipv4.ip_forward, and
// net.ipv6.conf.all.forwarding when a network has IPv6 (as Docker does).
//
// Table Options.Table of family ip holds every network's IPv4 rules; the table of the same
// name of family ip6 holds the same rules for the IPv6 subnets of dual-stack networks,
// except DNS (answered on the IPv4 gateway):
//
//	raw        prerouting  -300  drop packets to a subnet arriving from outside its bridge;
//	                             drop packets from a bridge to or from 127.0.0.0/8 (::1)
//	nat_pre    prerouting  -100  DNS redirect; fib daddr type local → ports
//	nat_out    output      -100  fib daddr type local → ports (host's 127.0.0.1 and own addresses;
//	                             not ::1, which IPv6 cannot route to a bridge: ProxyRoutes)
//	ports      (regular)         one DNAT per published host port
//	nat_post   postrouting  100  masquerade outbound, from loopback, and hairpin
//	forward    forward        0  isolation between bridges; internal networks stay inside
//	input      input          0  DNS from a bridge to its gateway
func (d *Driver) syncRules(st *state) error {
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	t := &nftables.Table{Name: d.opts.Table, Family: nftables.TableFamilyIPv4}
	t6 := &nftables.Table{Name: d.opts.Table, Family: nftables.TableFamilyIPv6}
	for _, tb := range []*nftables.Table{t, t6} {
		c.AddTable(tb)
		c.DelTable(tb)
	}
	if len(st.Networks) == 0 {
		if err := c.Flush(); err != nil {
			return fmt.Errorf("remove nftables table %q: %w", d.opts.Table, err)
		}
		return nil
	}
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("1"), 0o644); err != nil {
		return fmt.Errorf("enable ip_forward: %w", err)
	}
	c.AddTable(t)
	(&ruleBuilder{c: c, t: t}).build(st)
	if hasIPv6(st) {
		if err := ipv6Sysctl("all", "forwarding", "1"); err != nil {
			return err
		}
		c.AddTable(t6)
		(&ruleBuilder{c: c, t: t6, v6: true}).build(st)
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("write nftables table %q: %w", d.opts.Table, err)
	}
	return nil
}

func hasIPv6(st *state) bool {
	for _, n := range st.Networks {
		if n.Subnet6.IsValid() {
			return true
		}
	}
	return false
}

type ruleBuilder struct {
	c                                   *nftables.Conn
	t                                   *nftables.Table
	v6                                  bool // the ip6 table: IPv6 subnets and addresses
	raw, pre, out, post, fwd, in, ports *nftables.Chain
}

// build adds the chains and the rules of every network of st (in the ip6 table, of those
// with IPv6).
func (b *ruleBuilder) build(st *state) {
	var nets []*netState
	for _, n := range sortedNetworks(st) {
		if !b.v6 || n.Subnet6.IsValid() {
			nets = append(nets, n)
		}
	}
	b.addChains()
	b.rule(b.fwd, established(), verdict(expr.VerdictAccept))
	for _, n := range nets {
		b.network(n)
	}
	b.rule(b.fwd, wasDNATed(), verdict(expr.VerdictAccept))
	for _, n := range nets {
		b.rule(b.fwd, join(iif(n.Bridge), oif(n.Bridge)), verdict(expr.VerdictAccept))
		b.rule(b.fwd, oif(n.Bridge), verdict(expr.VerdictDrop))
	}
	b.rule(b.pre, daddrLocal(), jump("ports"))
	if b.v6 {
		// The kernel drops a DNATed ::1 connection (no route_localnet in IPv6): leave it
		// to a userland proxy listening there (ProxyRoutes), else to be refused, so that
		// clients of localhost go on to 127.0.0.1 at once.
		b.rule(b.out, daddr(netip.IPv6Loopback()), verdict(expr.VerdictReturn))
	}
	b.rule(b.out, daddrLocal(), jump("ports"))
}

func (b *ruleBuilder) addChains() {
	b.raw = b.chain("raw", nftables.ChainHookPrerouting, nftables.ChainPriorityRaw, nftables.ChainTypeFilter)
	b.pre = b.chain("nat_pre", nftables.ChainHookPrerouting, nftables.ChainPriorityNATDest, nftables.ChainTypeNAT)
	b.out = b.chain("nat_out", nftables.ChainHookOutput, nftables.ChainPriorityNATDest, nftables.ChainTypeNAT)
	b.post = b.chain("nat_post", nftables.ChainHookPostrouting, nftables.ChainPriorityNATSource, nftables.ChainTypeNAT)
	b.fwd = b.chain("forward", nftables.ChainHookForward, nftables.ChainPriorityFilter, nftables.ChainTypeFilter)
	b.in = b.chain("input", nftables.ChainHookInput, nftables.ChainPriorityFilter, nftables.ChainTypeFilter)
	b.ports = b.c.AddChain(&nftables.Chain{Name: "ports", Table: b.t})
}

var (
	loopbackNet  = netip.MustParsePrefix("127.0.0.0/8")
	loopbackNet6 = netip.MustParsePrefix("::1/128")
)

// subnet, gateway and loopback are n's, and the loopback net, in the builder's family.
func (b *ruleBuilder) subnet(n *netState) netip.Prefix {
	if b.v6 {
		return n.Subnet6
	}
	return n.Subnet
}

func (b *ruleBuilder) loopback() netip.Prefix {
	if b.v6 {
		return loopbackNet6
	}
	return loopbackNet
}

// address is ep's address in the builder's family.
func (b *ruleBuilder) address(ep *endpointState) netip.Addr {
	if b.v6 {
		return ep.Address6
	}
	return ep.Address
}

// network adds n's rules that do not depend on rule order across networks: the raw drops,
// DNS redirect, masquerades, internal isolation and its published ports.
func (b *ruleBuilder) network(n *netState) {
	subnet := b.subnet(n)
	b.rule(b.raw, join(daddrIn(subnet), notIif(n.Bridge)), verdict(expr.VerdictDrop))
	b.loopbackGuard(n.Bridge)
	if n.DNSPort != 0 && !b.v6 {
		for _, proto := range []string{"udp", "tcp"} {
			b.rule(b.pre, join(iif(n.Bridge), daddr(n.Gateway), l4port(proto, 53), dnatTo(n.Gateway, n.DNSPort)))
			b.rule(b.in, join(iif(n.Bridge), daddr(n.Gateway), l4port(proto, n.DNSPort)), verdict(expr.VerdictAccept))
		}
	}
	b.rule(b.post, join(oif(n.Bridge), saddrIn(b.loopback())), &expr.Masq{})
	b.rule(b.post, join(oif(n.Bridge), saddrIn(subnet), wasDNATed()), &expr.Masq{})
	if n.Internal {
		b.rule(b.fwd, join(iif(n.Bridge), notOif(n.Bridge)), verdict(expr.VerdictDrop))
		b.rule(b.fwd, join(oif(n.Bridge), notIif(n.Bridge)), verdict(expr.VerdictDrop))
	} else {
		b.rule(b.post, join(saddrIn(subnet), notOif(n.Bridge)), &expr.Masq{})
	}
	for _, ep := range sortedEndpoints(n) {
		for _, pm := range ep.Ports {
			if pm.inFamily(b.v6) {
				b.publish(b.ports, b.address(ep), pm)
			}
		}
	}
}

// loopbackGuard drops every packet arriving from bridge whose destination or source is in
// 127.0.0.0/8 (CVE-2020-8558). enableRouteLocalnet sets route_localnet on the bridge, which the
// kernel needs to send the host's connections to ports published on 127.0.0.1 out through it
// (their source is 127.0.0.1 until nat_post masquerades them, after routing); but the same
// setting lets a container with NET_RAW route a hand-made frame to the gateway's MAC to
// 127.0.0.1: to the host's loopback-only servers, or through nat_pre to another network's
// port published on 127.0.0.1 only. Nothing legitimate arrives from a bridge with such an
// address: replies to masqueraded loopback connections are addressed to the gateway until
// conntrack, which runs after this chain, rewrites them.
func (b *ruleBuilder) loopbackGuard(bridge string) {
	b.rule(b.raw, join(iif(bridge), daddrIn(b.loopback())), verdict(expr.VerdictDrop))
	b.rule(b.raw, join(iif(bridge), saddrIn(b.loopback())), verdict(expr.VerdictDrop))
}

func (b *ruleBuilder) chain(name string, hook *nftables.ChainHook, prio *nftables.ChainPriority, typ nftables.ChainType) *nftables.Chain {
	return b.c.AddChain(&nftables.Chain{Name: name, Table: b.t, Hooknum: hook, Priority: prio, Type: typ})
}

func (b *ruleBuilder) rule(ch *nftables.Chain, exprs []expr.Any, tail ...expr.Any) {
	b.c.AddRule(&nftables.Rule{Table: b.t, Chain: ch, Exprs: append(append([]expr.Any{}, exprs...), tail...)})
}

// publish adds one DNAT rule per host port of pm.
func (b *ruleBuilder) publish(ports *nftables.Chain, ctr netip.Addr, pm PortMapping) {
	end := pm.HostPortEnd
	if end < pm.HostPort {
		end = pm.HostPort
	}
	for hp := uint32(pm.HostPort); hp <= uint32(end); hp++ {
		cp := pm.ContainerPort + uint16(hp-uint32(pm.HostPort))
		var match []expr.Any
		if pm.HostIP.IsValid() && !pm.HostIP.IsUnspecified() {
			match = daddr(pm.HostIP)
		}
		b.rule(ports, join(match, l4port(pm.Protocol, uint16(hp)), dnatTo(ctr, cp)))
	}
}

func sortedNetworks(st *state) []*netState {
	out := make([]*netState, 0, len(st.Networks))
	for _, n := range st.Networks {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func sortedEndpoints(n *netState) []*endpointState {
	out := make([]*endpointState, 0, len(n.Endpoints))
	for _, ep := range n.Endpoints {
		out = append(out, ep)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NsPath < out[j].NsPath })
	return out
}
