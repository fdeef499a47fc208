package apply

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"slices"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/netdriver"
	"github.com/berth-dev/berth/project/internal/plan"
	"github.com/berth-dev/berth/project/internal/state"
)

// Target is the project a step acts on: its compose model, its recorded state, where
// its volumes live, and how to record the state (before each object is made) and
// report progress. Save and Progress may be called from one goroutine at a time.
type Target struct {
	P        *compose.Project
	St       *state.State
	Paths    state.Paths
	Save     func() error
	Progress func(format string, args ...any)
}

// NetworkCreator is what Networks needs of the network driver (*netdriver.Driver).
type NetworkCreator interface {
	CreateNetwork(ctx context.Context, name string, opts netdriver.NetworkOptions) (*netdriver.Network, error)
}

// Networks records and creates every network the planned services use; external
// networks are only recorded. A network recorded with its gateway (made by an earlier
// up) is left alone.
func Networks(ctx context.Context, t Target, nd NetworkCreator, acts plan.Plan) error {
	used := map[string]bool{}
	for _, a := range acts {
		if a.Service != "" && a.Kind != plan.ActRemove {
			for _, n := range plan.ServiceNetworks(t.P.Services[a.Service]) {
				used[n] = true
			}
		}
	}
	if t.St.Networks == nil {
		t.St.Networks = map[string]state.NetworkState{}
	}
	for _, n := range slices.Sorted(maps.Keys(used)) {
		cn := t.P.Networks[n]
		ns := state.NetworkState{Name: plan.NetworkName(t.P, n), Internal: cn.Internal, External: cn.External}
		if old, ok := t.St.Networks[n]; ok && (old.Gateway != "" || old.External) {
			continue
		}
		t.St.Networks[n] = ns
		if err := t.Save(); err != nil {
			return err
		}
		if ns.External {
			continue
		}
		opts, err := NetworkOptions(n, cn)
		if err != nil {
			return err
		}
		opts.Labels = withLabels(cn.Labels, "com.docker.compose.project", t.P.Name, "com.docker.compose.network", n)
		net, err := nd.CreateNetwork(ctx, ns.Name, opts)
		if err != nil {
			return fmt.Errorf("create network %q: %w", ns.Name, err)
		}
		ns.Gateway = net.Gateway.String()
		t.St.Networks[n] = ns
		if err := t.Save(); err != nil {
			return err
		}
		t.Progress(" Network %s  Created\n", ns.Name)
	}
	return nil
}

// NetworkOptions are the driver's options for network n: internal, enable_ipv6, and of
// ipam.config the first IPv4 pool and (with enable_ipv6) the first IPv6 one, each with
// its subnet, gateway and ip_range. An IPv6 pool without enable_ipv6 is left out (the
// loader warns of it). Errors wrap state.ErrInvalid.
func NetworkOptions(n string, cn compose.NetworkConfig) (netdriver.NetworkOptions, error) {
	opts := netdriver.NetworkOptions{Internal: cn.Internal, IPv6: cn.IPv6()}
	var have4, have6 bool
	for i, pool := range cn.Ipam.Config {
		if pool == nil {
			continue
		}
		var subnet, rng netip.Prefix
		var gw netip.Addr
		field := fmt.Sprintf("networks.%s.ipam.config[%d]", n, i)
		var err error
		if pool.Subnet != "" {
			if subnet, err = netip.ParsePrefix(pool.Subnet); err != nil {
				return opts, fmt.Errorf("%s.subnet: %q is not a subnet: %w", field, pool.Subnet, state.ErrInvalid)
			}
		}
		if pool.Gateway != "" {
			if gw, err = netip.ParseAddr(pool.Gateway); err != nil {
				return opts, fmt.Errorf("%s.gateway: %q is not an address: %w", field, pool.Gateway, state.ErrInvalid)
			}
		}
		if pool.IPRange != "" {
			if rng, err = netip.ParsePrefix(pool.IPRange); err != nil {
				return opts, fmt.Errorf("%s.ip_range: %q is not a subnet: %w", field, pool.IPRange, state.ErrInvalid)
			}
		}
		v6 := subnet.Addr().Is6() || (!subnet.IsValid() && (gw.Is6() || rng.Addr().Is6()))
		switch {
		case v6 && opts.IPv6 && !have6:
			opts.Subnet6, opts.Gateway6, opts.IPRange6, have6 = subnet, gw, rng, true
		case !v6 && !have4:
			opts.Subnet, opts.Gateway, opts.IPRange, have4 = subnet, gw, rng, true
		}
	}
	return opts, nil
}

// Volumes records every named volume the planned services use, creates the
// directories of those the plan creates and labels them with the project (see
// state.LabelVolume).
func Volumes(t Target, acts plan.Plan) error {
	if t.St.Volumes == nil {
		t.St.Volumes = map[string]string{}
	}
	used := map[string]string{} // full name -> compose key
	recorded := true            // every one of them already: no save
	for _, a := range acts {
		if a.Service == "" || a.Kind == plan.ActRemove {
			continue
		}
		for _, v := range t.P.Services[a.Service].Volumes {
			if v.Type == "volume" && v.Source != "" && !t.P.Volumes[v.Source].External {
				name := plan.VolumeName(t.P, v.Source)
				recorded = recorded && t.St.Volumes[v.Source] == name
				t.St.Volumes[v.Source] = name
				used[name] = v.Source
			}
		}
	}
	if !recorded {
		if err := t.Save(); err != nil {
			return err
		}
	}
	for _, a := range acts {
		if a.Kind != plan.ActCreateVolume {
			continue
		}
		dir, err := t.Paths.VolumeDir(a.Name)
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			return fmt.Errorf("create volume %q: %w", a.Name, err)
		}
		t.Progress(" Volume %s  Created\n", a.Name)
	}
	return labelVolumes(t, used)
}

// labelVolumes labels the project's volumes (full name -> compose key) that exist and
// have no labels yet, so that `down -v` finds them without the project's state.
func labelVolumes(t Target, volumes map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(volumes)) {
		if !t.Paths.VolumeExists(name) {
			continue
		}
		labels := withLabels(t.P.Volumes[volumes[name]].Labels, state.LabelProject, t.P.Name, state.LabelVolume, volumes[name])
		if err := t.Paths.LabelVolume(name, labels); err != nil {
			return err
		}
	}
	return nil
}

// withLabels is a copy of the user's labels (a network's or volume's labels key) with
// Compose's own (key, value pairs) set over them, as Compose labels what it makes.
func withLabels(user map[string]string, kv ...string) map[string]string {
	out := maps.Clone(user)
	if out == nil {
		out = map[string]string{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}
