package kube

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/berth-dev/berth/compose"
)

// maxBase is the longest name a service keeps: "<name>-published" must still be a DNS
// label (63 bytes).
const maxBase = 63 - len("-published")

// kubeName turns a compose name (letters, digits, '.', '_', '-') into a DNS-1035 label
// (what a Service name must be): lower case, other characters as '-', a letter first,
// at most max bytes.
func kubeName(s string, max int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" || out[0] < 'a' || out[0] > 'z' {
		out = "x-" + out
	}
	if len(out) > max {
		out = strings.TrimRight(out[:max], "-")
	}
	return out
}

// dnsLabel is a DNS-1123 label (a namespace name).
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// isDNSLabel reports whether s is a DNS-1123 label.
func isDNSLabel(s string) bool { return len(s) <= 63 && dnsLabel.MatchString(s) }

// serviceNames maps each service to its Kubernetes name. Two services that map to one
// name cannot both be converted: an error says which.
func serviceNames(p *compose.Project) (map[string]string, error) {
	names := map[string]string{}
	owner := map[string]string{}
	for _, s := range p.ServiceNames() {
		n := kubeName(s, maxBase)
		if o, dup := owner[n]; dup {
			return nil, fmt.Errorf("%s: services %q and %q both become %q in Kubernetes: rename one: %w",
				p.PositionOf("services."+s), o, s, n, ErrInvalid)
		}
		owner[n], names[s] = s, n
	}
	return names, nil
}
