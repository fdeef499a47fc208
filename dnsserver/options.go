package dnsserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"time"
)

// Sentinel errors; compare with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	ErrInvalid  = errors.New("invalid argument")
)

// DefaultTTL is the TTL of local answers. Docker answers with 600 s, which makes a
// restarted or scaled service invisible to caching clients for ten minutes. Two seconds
// is short enough that restarts and scaling are seen at once, yet not zero, which some
// stub resolvers and client libraries treat as "do not use" or refuse to cache even
// within one burst of lookups (for example a connection pool opening many connections).
const DefaultTTL = 2

// UpstreamsEnv names the environment variable that overrides the host's resolvers.
const UpstreamsEnv = "BERTH_DNS_UPSTREAMS"

// Options configures a Server. The zero value is usable.
type Options struct {
	// Upstreams are the resolvers non-local names are forwarded to, tried in order.
	// nil means the nameservers of ResolvConfPath (loopback ones included: the server
	// runs in the host network namespace, so it can reach them).
	Upstreams []netip.AddrPort
	// ResolvConfPath is read when Upstreams is nil; empty means /etc/resolv.conf.
	ResolvConfPath string
	// TTL of local answers in seconds; 0 means DefaultTTL.
	TTL uint32
	// Suffixes are extra domains (for example the project name) under which every
	// name is also answered: "web.<suffix>." as well as "web." and "web.<network>.".
	Suffixes []string
	// ForwardTimeout bounds one exchange with one upstream; 0 means 2 s.
	ForwardTimeout time.Duration
	// DeadUpstreamFor is how long an upstream that failed is tried only after every
	// live one failed; 0 means 30 s.
	DeadUpstreamFor time.Duration
	// UDPSockets is the number of SO_REUSEPORT UDP sockets per network; 0 means
	// GOMAXPROCS.
	UDPSockets int
}

func (o Options) withDefaults() Options {
	if o.TTL == 0 {
		o.TTL = DefaultTTL
	}
	if o.ForwardTimeout == 0 {
		o.ForwardTimeout = 2 * time.Second
	}
	if o.DeadUpstreamFor == 0 {
		o.DeadUpstreamFor = 30 * time.Second
	}
	if o.UDPSockets <= 0 {
		o.UDPSockets = runtime.GOMAXPROCS(0)
	}
	if o.ResolvConfPath == "" {
		o.ResolvConfPath = "/etc/resolv.conf"
	}
	return o
}

// ParseUpstreams parses a comma-separated list of resolvers, each "ip" or "ip:port"
// ("[v6]:port" for IPv6 with a port); port 53 is the default. Empty entries are
// skipped. A malformed entry returns an error wrapping ErrInvalid.
func ParseUpstreams(s string) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if ap, err := netip.ParseAddrPort(f); err == nil {
			out = append(out, ap)
			continue
		}
		a, err := netip.ParseAddr(strings.Trim(f, "[]"))
		if err != nil {
			return nil, fmt.Errorf("parse upstream %q: %w", f, ErrInvalid)
		}
		out = append(out, netip.AddrPortFrom(a, 53))
	}
	return out, nil
}

// UpstreamsFromEnv returns the upstreams named by BERTH_DNS_UPSTREAMS, or nil (so New
// reads resolv.conf) when it is unset or empty. The orchestrator calls it and puts
// the result in Options.Upstreams.
func UpstreamsFromEnv() ([]netip.AddrPort, error) {
	v := os.Getenv(UpstreamsEnv)
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	ups, err := ParseUpstreams(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", UpstreamsEnv, err)
	}
	return ups, nil
}

// resolvConf is what berth uses of a resolv.conf file.
type resolvConf struct {
	nameservers []netip.AddrPort
	search      []string
	options     []string
}

func parseResolvConf(data []byte) resolvConf {
	var rc resolvConf
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], ";") {
			continue
		}
		switch f[0] {
		case "nameserver":
			if a, err := netip.ParseAddr(f[1]); err == nil {
				rc.nameservers = append(rc.nameservers, netip.AddrPortFrom(a, 53))
			}
		case "search", "domain":
			rc.search = f[1:]
		case "options":
			rc.options = append(rc.options, f[1:]...)
		}
	}
	return rc
}

// ResolvConf returns the /etc/resolv.conf content of a container whose network's DNS
// server listens on gateway, as Docker writes it: "nameserver <gateway>", the host's
// search domains (from hostResolvConf, the host file's content; nil for none), the host's
// options other than ndots, and "options ndots:0" so single-label names go to berth's
// server as they are instead of through every search domain first.
func ResolvConf(gateway netip.Addr, hostResolvConf []byte) []byte {
	rc := parseResolvConf(hostResolvConf)
	var b bytes.Buffer
	fmt.Fprintf(&b, "nameserver %s\n", gateway)
	if len(rc.search) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(rc.search, " "))
	}
	opts := []string{"ndots:0"}
	for _, o := range rc.options {
		if !strings.HasPrefix(o, "ndots:") {
			opts = append(opts, o)
		}
	}
	fmt.Fprintf(&b, "options %s\n", strings.Join(opts, " "))
	return b.Bytes()
}
