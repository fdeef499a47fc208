package supervisor

import (
	"errors"
	"fmt"

	"github.com/berth-dev/berth/netdriver/portproxy"
	"github.com/berth-dev/berth/project/internal/state"
)

// errProxy marks a sync error of the userland port proxy: a host port it could not
// listen on. It fails the command that asked for the sync, but not the supervisor's
// start: its other duties go on, and the next sync tries the port again.
var errProxy = errors.New("userland port proxy")

// The supervisor serves its project's published ports that DNAT cannot (ports on the
// host's IPv6 loopback, IPv6 ports of containers without IPv6: netdriver.ProxyRoutes)
// through a userland proxy (netdriver/portproxy), as Docker's docker-proxy does. Its
// listeners follow the published ports in the network state on every sync: a container
// made gets them, a recreated one takes over its predecessor's listeners (kept open,
// pointed at the new address), a removed one loses them; they close with the
// supervisor, and the next one (any later command starts it) listens again.

// syncProxies makes the proxy serve the published ports of st's containers. Errors
// wrap errProxy.
func (s *supervisor) syncProxies(st *state.State) error {
	var nsPaths []string
	for _, c := range st.Containers {
		if c.NetNS != "" && len(c.Ports) > 0 {
			nsPaths = append(nsPaths, c.NetNS)
		}
	}
	var routes []portproxy.Route
	var err error
	if len(nsPaths) > 0 { // else no need to read the network state
		routes, err = s.nd.ProxyRoutes(nsPaths)
	}
	if err == nil {
		err = s.proxy.Sync(routes)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", errProxy, err)
	}
	return nil
}
