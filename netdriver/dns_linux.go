package netdriver

import (
	"context"
	"fmt"
)

// RedirectDNS makes the gateway of network answer DNS on port 53 through a listener on
// gateway:port: udp and tcp from the bridge to gateway:53 are DNATed to gateway:port, and an
// input rule accepts them. Port 0 removes the redirect. Errors wrap ErrNotFound.
func (d *Driver) RedirectDNS(ctx context.Context, network string, port uint16) error {
	err := d.withState(true, func(st *state) error {
		n, ok := st.Networks[network]
		if !ok {
			return fmt.Errorf("network: %w", ErrNotFound)
		}
		n.DNSPort = port
		return d.syncRules(st)
	})
	if err != nil {
		return fmt.Errorf("redirect dns of network %q: %w", network, err)
	}
	return nil
}
