package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/netdriver"
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

// imagePolicy is how resolveImages gets the services' images, as `up`'s --pull,
// --build and --no-build.
type imagePolicy struct {
	Pull    string // PullMissing, PullAlways, PullNever; "": each service's pull_policy
	Build   bool   // build every service with a build section first (--build)
	NoBuild bool   // never build: a missing image of a service with build: is an error
	// QuietPull and QuietBuild keep the registry's and the builder's output off the
	// progress (--quiet-pull, --quiet-build); the image's status lines stay.
	QuietPull, QuietBuild bool
}

// resolveImages finds every service's image in the local store before anything is
// created. A service with a build section is built (its image named ImageName) when
// its image is missing, when policy.Build is set or when its pull_policy is "build",
// never pulled; so is, first, the image of a service without one that another service
// of the project builds, as Compose builds before it pulls. Other images are pulled
// as the pull policy allows. An image that
// cannot be had yields an error naming the service and wrapping ErrNotFound.
func (c Config) resolveImages(ctx context.Context, p *compose.Project, services []string, policy imagePolicy, progress io.Writer) (map[string]resolvedImage, error) {
	store, err := c.imageStore()
	if err != nil {
		return nil, err
	}
	out := map[string]resolvedImage{}
	built := map[string]bool{} // image names built by this call: services may share one
	builders := imageBuilders(p)
	for _, name := range services {
		svc := p.Services[name]
		ref := ImageName(p, name)
		var img *image.Image
		switch {
		case svc.Build != nil:
			img, err = c.buildIfNeeded(ctx, store, p, name, policy, built, progress)
		case builders[ref] != "":
			img, err = c.buildIfNeeded(ctx, store, p, builders[ref], policy, built, progress)
		default:
			img, err = pullIfNeeded(ctx, store, name, ref, firstNonEmpty(policy.Pull, svc.PullPolicy), progress, policy.QuietPull)
		}
		if err != nil {
			return nil, err
		}
		layers, err := store.LayerDirs(img)
		if err != nil {
			return nil, fmt.Errorf("service %q: image %q: %w", name, ref, err)
		}
		out[name] = resolvedImage{img: img, layers: layers}
	}
	return out, nil
}

// imageBuilders maps the image names the project's services build to the service that
// builds each (the first by name when several do).
func imageBuilders(p *compose.Project) map[string]string {
	out := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		if ref := ImageName(p, name); p.Services[name].Build != nil && out[ref] == "" {
			out[ref] = name
		}
	}
	return out
}

// buildIfNeeded returns the image of service name, which has a build section,
// building it first when the policy or a missing image asks for it. Progress gets
// Compose's " Image NAME  Building" and " Image NAME  Built" lines around the
// builder's own output.
func (c Config) buildIfNeeded(ctx context.Context, store *image.Store, p *compose.Project, name string, policy imagePolicy, built map[string]bool, progress io.Writer) (*image.Image, error) {
	ref := ImageName(p, name)
	img, err := store.Get(ref)
	missing := errors.Is(err, image.ErrNotFound)
	if err != nil && !missing {
		return nil, fmt.Errorf("service %q: image %q: %w", name, ref, err)
	}
	force := (policy.Build || p.Services[name].PullPolicy == "build") && !built[ref]
	switch {
	case policy.NoBuild && missing:
		return nil, fmt.Errorf("service %q: image %q is not in the local store and --no-build forbids building it: %w", name, ref, ErrNotFound)
	case policy.NoBuild || (!missing && !force):
		return img, nil
	}
	fmt.Fprintf(progress, " Image %s  Building\n", ref)
	bo := BuildOptions{Progress: progress}
	if policy.QuietBuild {
		bo.Progress = nil
	}
	if _, err := c.buildService(ctx, store, p, name, bo); err != nil {
		return nil, err
	}
	built[ref] = true
	fmt.Fprintf(progress, " Image %s  Built\n", ref)
	if img, err = store.Get(ref); err != nil {
		return nil, fmt.Errorf("service %q: image %q after its build: %w", name, ref, err)
	}
	return img, nil
}

// localImageIDs maps each service opts selects to the ID of its image in the local
// store, leaving out services whose image is missing. It builds and pulls nothing: it
// lets PlanUp plan the recreation of containers whose image changed.
func (c Config) localImageIDs(p *compose.Project, opts PlanOptions) (map[string]string, error) {
	store, err := c.imageStore()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, name := range planServices(p, opts) {
		img, err := store.Get(ImageName(p, name))
		if errors.Is(err, image.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("service %q: image %q: %w", name, ImageName(p, name), err)
		}
		out[name] = img.ID
	}
	return out, nil
}

// pullIfNeeded returns image ref of service name from the store, pulling it when the
// pull policy asks for it (quiet: without the registry's layer progress).
func pullIfNeeded(ctx context.Context, store *image.Store, name, ref, policy string, progress io.Writer, quiet bool) (*image.Image, error) {
	img, err := store.Get(ref)
	switch {
	case (err == nil && policy != PullAlways) || (err != nil && !errors.Is(err, image.ErrNotFound)):
	case policy == PullNever:
		return nil, fmt.Errorf("service %q: image %q is not in the local store and pull policy is never: %w", name, ref, ErrNotFound)
	default:
		fmt.Fprintf(progress, " Image %s  Pulling\n", ref)
		po := image.PullOptions{Progress: progress}
		if quiet {
			po.Progress = io.Discard
		}
		if img, err = store.Pull(ctx, ref, po); err == nil {
			fmt.Fprintf(progress, " Image %s  Pulled\n", ref)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("service %q: image %q: %w", name, ref, err)
	}
	return img, nil
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
		for i, pm := range portMappings(p.Services[a.Service]) {
			where := fieldAt(p, fmt.Sprintf("services.%s.ports[%d]", a.Service, i))
			proto := pm.Protocol
			if proto == "" {
				proto = "tcp"
			}
			last := max(pm.HostPort, pm.HostPortEnd)
			for port := uint32(pm.HostPort); pm.HostPort != 0 && port <= uint32(last); port++ {
				k := key{proto, uint16(port)}
				if h, ok := taken[k]; ok {
					return fmt.Errorf("%s: host port %s/%d is already published by %s: %w", where, proto, port, h, ErrExists)
				}
				if h, ok := mine[k]; ok {
					return fmt.Errorf("%s: host port %s/%d is also published by %s: %w", where, proto, port, h, ErrExists)
				}
				if a.Kind == ActCreate {
					if h, ok := netdriver.PortHolder(proto, uint16(port)); ok {
						return fmt.Errorf("%s: host port %s/%d is already in use by %s: %w", where, proto, port, h, ErrExists)
					}
				}
				mine[k] = "container " + a.Name
			}
		}
	}
	return nil
}

// fieldAt is "file:line:col: path", the place of the field path in p's compose files,
// for errors about what the host holds (a port, an external volume).
func fieldAt(p *compose.Project, path string) string {
	return p.WarningAt(path, "").Pos.String() + ": " + path
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

// checkServices is checkService of each named service: the problems in the compose
// files (compose.ErrorList) of all of them come back in one list, sorted by place, each
// once (a bind volume's device is checked for every service that mounts it).
func (c Config) checkServices(p *compose.Project, names []string) error {
	var all compose.ErrorList
	seen := map[string]bool{}
	for _, s := range names {
		err := c.checkService(p, p.Services[s])
		var list compose.ErrorList
		if err != nil && !errors.As(err, &list) {
			return err
		}
		for _, e := range list {
			if !seen[e.Error()] {
				seen[e.Error()] = true
				all = append(all, e)
			}
		}
	}
	return all.Err()
}

// checkService finds, before anything of the project is made, what would stop svc's
// containers from being made: values Docker refuses, unsupported settings, bind volumes
// without their device (spec.CheckSupported), secrets and configs that cannot be given
// (objectErrors), all at once, each at its place; then a seccomp profile that cannot be
// read or compiled.
func (c Config) checkService(p *compose.Project, svc compose.ServiceConfig) error {
	var errs compose.ErrorList
	if err := checkSupported(p, svc); err != nil && !errors.As(err, &errs) {
		return err
	}
	errs = append(errs, c.objectErrors(p, svc)...)
	if err := errs.Err(); err != nil {
		return err
	}
	_, err := seccompProfile(p, svc)
	return err
}
