package netdriver

import (
	"fmt"
	"os"
	"strings"

	"github.com/google/nftables"
)

// FirewallWarnings describes other firewalls that can drop berth's traffic regardless of its
// own rules: any nftables base chain (iptables-nft included) on the forward hook whose policy
// is drop, and ufw or firewalld when present. Each string explains the problem and a fix; none
// means nothing was found.
func (d *Driver) FirewallWarnings() []string {
	var out []string
	if c, err := nftables.New(); err == nil {
		chains, _ := c.ListChains()
		out = append(out, forwardDropWarnings(chains, d.opts.Table, d.opts.NamePrefix)...)
	}
	if b, err := os.ReadFile("/etc/ufw/ufw.conf"); err == nil && strings.Contains(string(b), "ENABLED=yes") {
		out = append(out, "ufw is enabled: its forward policy may drop container traffic; set DEFAULT_FORWARD_POLICY=\"ACCEPT\" or allow the berth bridges")
	}
	if _, err := os.Stat("/run/firewalld"); err == nil {
		out = append(out, "firewalld is running: add the berth bridges to a trusted zone or container traffic may be dropped")
	}
	return out
}

// forwardDropWarnings explains each base chain on the forward hook, outside berth's own table,
// whose policy is drop.
func forwardDropWarnings(chains []*nftables.Chain, own, prefix string) []string {
	var out []string
	for _, ch := range chains {
		if ch.Table == nil || ch.Table.Name == own || ch.Hooknum == nil || *ch.Hooknum != *nftables.ChainHookForward {
			continue
		}
		if ch.Policy != nil && *ch.Policy == nftables.ChainPolicyDrop {
			out = append(out, fmt.Sprintf("the forward chain %q of table %q drops by default: container traffic "+
				"to and from berth bridges may be dropped; accept it there (e.g. for interfaces named %s*)",
				ch.Name, ch.Table.Name, prefix))
		}
	}
	return out
}
