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
		if err := t.Save(); err != nil || ns.External {
			return err
		}
		opts := netdriver.NetworkOptions{Internal: cn.Internal,
			Labels: map[string]string{"com.docker.compose.project": t.P.Name, "com.docker.compose.network": n}}
		if len(cn.Ipam.Config) > 0 {
			pool := cn.Ipam.Config[0]
			var err error
			if pool.Subnet != "" {
				if opts.Subnet, err = netip.ParsePrefix(pool.Subnet); err != nil {
					return fmt.Errorf("network %q: subnet %q: %w", n, pool.Subnet, state.ErrInvalid)
				}
			}
			if pool.Gateway != "" {
				if opts.Gateway, err = netip.ParseAddr(pool.Gateway); err != nil {
					return fmt.Errorf("network %q: gateway %q: %w", n, pool.Gateway, state.ErrInvalid)
				}
			}
		}
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
		labels := map[string]string{state.LabelProject: t.P.Name, state.LabelVolume: volumes[name]}
		if err := t.Paths.LabelVolume(name, labels); err != nil {
			return err
		}
	}
	return nil
}
