package netdriver

import (
	"context"
	"errors"
	"fmt"
)

// Sweep removes everything recorded in StateDir — endpoints' veths, bridges, namespaces and
// the nftables table — and empties the state, even when the process that made them crashed.
// It keeps going past errors and returns them joined.
func (d *Driver) Sweep(ctx context.Context) error {
	return d.withState(true, func(st *state) error {
		var errs []error
		for name, n := range st.Networks {
			for _, ep := range n.Endpoints {
				errs = append(errs, removeLink(ep.HostIf))
			}
			if err := removeLink(n.Bridge); err != nil {
				errs = append(errs, err)
				continue
			}
			delete(st.Networks, name)
		}
		for id := range st.Netns {
			path, err := d.recordedNetns(st, id)
			if err == nil {
				err = removeNetnsPath(path)
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			delete(st.Netns, id)
		}
		errs = append(errs, d.syncRules(st))
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("sweep: %w", err)
		}
		return nil
	})
}
