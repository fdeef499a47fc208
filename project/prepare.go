package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine/image"
)

// Pull policies, as `up --pull`.
const (
	PullMissing = "missing"
	PullAlways  = "always"
	PullNever   = "never"
)

// resolvedImage is a service's image with its unpacked layers.
type resolvedImage struct {
	img    *image.Image
	layers []string
}

// resolveImages finds every service's image in the local store, pulling it when the
// policy allows, before anything is created.
func (c Config) resolveImages(ctx context.Context, p *compose.Project, services []string, pull string, progress io.Writer) (map[string]resolvedImage, error) {
	store, err := image.Open(c.Root + "/images")
	if err != nil {
		return nil, err
	}
	out := map[string]resolvedImage{}
	for _, name := range services {
		svc := p.Services[name]
		policy := pull
		if policy == "" {
			policy = svc.PullPolicy
		}
		img, err := store.Get(svc.Image)
		switch {
		case (err == nil && policy != PullAlways) || (err != nil && !errors.Is(err, image.ErrNotFound)):
		case policy == PullNever:
			return nil, fmt.Errorf("service %q: image %q is not in the local store and pull policy is never: %w", name, svc.Image, ErrNotFound)
		default:
			fmt.Fprintf(progress, " Image %s  Pulling\n", svc.Image)
			img, err = store.Pull(ctx, svc.Image, image.PullOptions{Progress: progress})
		}
		if err != nil {
			return nil, fmt.Errorf("service %q: image %q: %w", name, svc.Image, err)
		}
		layers, err := store.LayerDirs(img)
		if err != nil {
			return nil, fmt.Errorf("service %q: image %q: %w", name, svc.Image, err)
		}
		out[name] = resolvedImage{img: img, layers: layers}
	}
	return out, nil
}

// checkConflicts finds, before anything is created, container names and host ports that
// another project (or, for ports, any process on the host) already holds.
func (c Config) checkConflicts(p *compose.Project, plan Plan) error {
	others, err := c.otherProjects(p.Name)
	if err != nil {
		return err
	}
	type key struct {
		proto string
		port  uint16
	}
	taken := map[key]string{}
	names := map[string]string{}
	for _, st := range others {
		for _, ctr := range st.Containers {
			names[ctr.Name] = st.Name
			for _, pt := range ctr.Ports {
				taken[key{pt.Protocol, pt.HostPort}] = fmt.Sprintf("container %s of project %s", ctr.Name, st.Name)
			}
		}
	}
	mine := map[key]string{}
	for _, a := range plan {
		if a.Kind != ActCreate && a.Kind != ActRecreate {
			continue
		}
		if proj, ok := names[a.Name]; ok {
			return fmt.Errorf("container name %q is already in use by project %q: %w", a.Name, proj, ErrExists)
		}
		pms, err := portMappings(p.Services[a.Service])
		if err != nil {
			return err
		}
		for _, pm := range pms {
			proto := pm.Protocol
			if proto == "" {
				proto = "tcp"
			}
			last := pm.HostPort
			if pm.HostPortEnd > last {
				last = pm.HostPortEnd
			}
			for port := uint32(pm.HostPort); pm.HostPort != 0 && port <= uint32(last); port++ {
				k := key{proto, uint16(port)}
				if h, ok := taken[k]; ok {
					return fmt.Errorf("service %q: host port %s/%d is already published by %s: %w", a.Service, proto, port, h, ErrExists)
				}
				if h, ok := mine[k]; ok {
					return fmt.Errorf("service %q: host port %s/%d is also published by %s: %w", a.Service, proto, port, h, ErrExists)
				}
				if a.Kind == ActCreate {
					if h, ok := portHolder(proto, uint16(port)); ok {
						return fmt.Errorf("service %q: host port %s/%d is already in use by %s: %w", a.Service, proto, port, h, ErrExists)
					}
				}
				mine[k] = "container " + a.Name
			}
		}
	}
	return nil
}

func (c Config) otherProjects(self string) ([]*State, error) {
	names, err := c.Projects()
	if err != nil {
		return nil, err
	}
	var out []*State
	for _, n := range names {
		if n == self {
			continue
		}
		st, err := c.LoadState(n)
		if errors.Is(err, ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}
