package spec

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
)

// TestHostsFileDomainname: with domainname, the container's line starts with the
// FQDN (Docker's "IP host.domain host"), so that `hostname -f` finds it.
func TestHostsFileDomainname(t *testing.T) {
	svc := compose.ServiceConfig{DomainName: "example.com"}
	got := hostsFile(svc, "web", []netip.Addr{netip.MustParseAddr("10.240.0.2")}, netip.Addr{})
	if want := "10.240.0.2\tweb.example.com web\n"; !strings.Contains(got, want) {
		t.Errorf("hostsFile = %q, want a line %q", got, want)
	}
}
