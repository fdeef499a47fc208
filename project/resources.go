package project

import (
	"context"
	"fmt"
	"net/netip"
	"os"

	"github.com/berth-dev/berth/netdriver"
	"github.com/berth-dev/berth/project/internal/state"
)

// ensureNetworks records and creates every network the planned services use; external
// networks are only recorded.
func (r *run) ensureNetworks(ctx context.Context, plan Plan) error {
	used := map[string]bool{}
	for _, a := range plan {
		if a.Service != "" && a.Kind != ActRemove {
			for _, n := range serviceNetworks(r.p.Services[a.Service]) {
				used[n] = true
			}
		}
	}
	if r.st.Networks == nil {
		r.st.Networks = map[string]NetworkState{}
	}
	for _, n := range sortedKeys(used) {
		cn := r.p.Networks[n]
		ns := NetworkState{Name: networkName(r.p, n), Internal: cn.Internal, External: cn.External}
		if old, ok := r.st.Networks[n]; ok && (old.Gateway != "" || old.External) {
			continue
		}
		r.st.Networks[n] = ns
		if err := r.save(); err != nil || ns.External {
			return err
		}
		opts := netdriver.NetworkOptions{Internal: cn.Internal,
			Labels: map[string]string{"com.docker.compose.project": r.p.Name, "com.docker.compose.network": n}}
		if len(cn.Ipam.Config) > 0 {
			pool := cn.Ipam.Config[0]
			var err error
			if pool.Subnet != "" {
				if opts.Subnet, err = netip.ParsePrefix(pool.Subnet); err != nil {
					return fmt.Errorf("network %q: subnet %q: %w", n, pool.Subnet, ErrInvalid)
				}
			}
			if pool.Gateway != "" {
				if opts.Gateway, err = netip.ParseAddr(pool.Gateway); err != nil {
					return fmt.Errorf("network %q: gateway %q: %w", n, pool.Gateway, ErrInvalid)
				}
			}
		}
		net, err := r.nd.CreateNetwork(ctx, ns.Name, opts)
		if err != nil {
			return fmt.Errorf("create network %q: %w", ns.Name, err)
		}
		ns.Gateway = net.Gateway.String()
		r.st.Networks[n] = ns
		if err := r.save(); err != nil {
			return err
		}
		r.printf(" Network %s  Created\n", ns.Name)
	}
	return nil
}

// ensureVolumes records every named volume the planned services use and creates the
// directories of those the plan creates.
func (r *run) ensureVolumes(plan Plan) error {
	if r.st.Volumes == nil {
		r.st.Volumes = map[string]string{}
	}
	used := map[string]string{} // full name -> compose key
	for _, a := range plan {
		if a.Service == "" || a.Kind == ActRemove {
			continue
		}
		for _, v := range r.p.Services[a.Service].Volumes {
			if v.Type == "volume" && v.Source != "" && !r.p.Volumes[v.Source].External {
				r.st.Volumes[v.Source] = volumeName(r.p, v.Source)
				used[volumeName(r.p, v.Source)] = v.Source
			}
		}
	}
	if err := r.save(); err != nil {
		return err
	}
	for _, a := range plan {
		if a.Kind != ActCreateVolume {
			continue
		}
		dir, err := r.cfg.VolumeDir(a.Name)
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			return fmt.Errorf("create volume %q: %w", a.Name, err)
		}
		r.printf(" Volume %s  Created\n", a.Name)
	}
	return r.labelVolumes(used)
}

// labelVolumes labels the project's volumes (full name -> compose key) that exist and
// have no labels yet, so that `down -v` finds them without the project's state.
func (r *run) labelVolumes(volumes map[string]string) error {
	for _, name := range sortedKeys(volumes) {
		if !r.cfg.volumeExists(name) {
			continue
		}
		labels := map[string]string{LabelProject: r.p.Name, state.LabelVolume: volumes[name]}
		if err := r.cfg.paths().LabelVolume(name, labels); err != nil {
			return err
		}
	}
	return nil
}
