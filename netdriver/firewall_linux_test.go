package netdriver

import (
	"strings"
	"testing"

	"github.com/google/nftables"
)

func TestForwardDropWarnings(t *testing.T) {
	drop, accept := nftables.ChainPolicyDrop, nftables.ChainPolicyAccept
	filter := &nftables.Table{Name: "filter"}
	chains := []*nftables.Chain{
		{Name: "FORWARD", Table: filter, Hooknum: nftables.ChainHookForward, Policy: &drop},
		{Name: "INPUT", Table: filter, Hooknum: nftables.ChainHookInput, Policy: &drop},
		{Name: "fw_ok", Table: filter, Hooknum: nftables.ChainHookForward, Policy: &accept},
		{Name: "forward", Table: &nftables.Table{Name: "berth"}, Hooknum: nftables.ChainHookForward, Policy: &drop},
		{Name: "regular", Table: filter},
	}
	got := forwardDropWarnings(chains, "berth", "berth")
	if len(got) != 1 || !strings.Contains(got[0], `"FORWARD"`) || !strings.Contains(got[0], `"filter"`) {
		t.Errorf("forwardDropWarnings() = %q, want one warning naming filter/FORWARD", got)
	}
}
