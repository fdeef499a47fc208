package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine/image"
)

// PullOptions configure Pull, as `berth pull`'s flags.
type PullOptions struct {
	Services []string // empty: every service
	// IncludeDeps pulls the images of the named services' dependencies too.
	IncludeDeps bool
	// Policy, when set, is the pull_policy of every service with an image: "missing"
	// (pull only absent images) or "always" (--policy).
	Policy string
	// IgnoreFailures reports a failed pull and goes on with the others (exit 0).
	IgnoreFailures bool
	// IgnoreBuildable skips services with a build section.
	IgnoreBuildable bool
	// Quiet drops the registry's layer progress; the per-image lines stay on Progress.
	Quiet    bool
	Progress io.Writer // Compose-style status lines; nil: none
	// DryRun prints the lines of the pulls Pull would make and pulls nothing
	// (--dry-run).
	DryRun bool
}

// Pull pulls the images of the selected services from their registries, as `docker
// compose pull`: every image is pulled again (the registry may have a newer one),
// except that services without image: (built ones), with pull_policy never or build,
// or with pull_policy missing whose image is present are skipped, and an image shared
// by several services is pulled once. A failed pull of a service that has a build
// section is only reported (it can be built); other failures are errors unless
// IgnoreFailures. Unknown services wrap ErrNotFound.
func Pull(ctx context.Context, cfg Config, p *compose.Project, opts PullOptions) error {
	out := opts.Progress
	if out == nil {
		out = io.Discard
	}
	if opts.Policy != "" && opts.Policy != PullMissing && opts.Policy != PullAlways {
		return fmt.Errorf("pull: invalid --policy %q: want %q or %q: %w", opts.Policy, PullMissing, PullAlways, ErrInvalid)
	}
	services, err := pullServices(p, opts)
	if err != nil {
		return err
	}
	store, err := cfg.imageStore()
	if err != nil {
		return err
	}
	pulled := map[string]string{} // image -> the service that pulled it
	var errs []error
	for _, name := range services {
		svc := p.Services[name]
		if opts.Policy != "" {
			svc.PullPolicy = opts.Policy
		}
		if skip := pullSkip(store, svc, opts.IgnoreBuildable, pulled); skip != "" {
			fmt.Fprintf(out, " Service %s  Skipped - %s\n", name, skip)
			continue
		}
		pulled[svc.Image] = name
		fmt.Fprintf(out, " Image %s  Pulling\n", svc.Image)
		if opts.DryRun {
			fmt.Fprintf(out, " Image %s  Pulled\n", svc.Image)
			continue
		}
		po := image.PullOptions{Progress: out}
		if opts.Quiet {
			po.Progress = io.Discard
		}
		if _, err := store.Pull(ctx, svc.Image, po); err != nil {
			err = fmt.Errorf("service %q: pull image %q: %w", name, svc.Image, err)
			if svc.Build != nil || opts.IgnoreFailures {
				fmt.Fprintf(out, " Image %s  Warning: %v\n", svc.Image, err)
				continue
			}
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(out, " Image %s  Pulled\n", svc.Image)
	}
	return errors.Join(errs...)
}

// pullServices are the services Pull covers, sorted: the named ones (with IncludeDeps
// and their dependencies), or all.
func pullServices(p *compose.Project, opts PullOptions) ([]string, error) {
	for _, name := range opts.Services {
		if _, ok := p.Services[name]; !ok {
			return nil, fmt.Errorf("pull: no such service %q: %w", name, ErrNotFound)
		}
	}
	services := opts.Services
	switch {
	case len(services) == 0:
		services = p.ServiceNames()
	case opts.IncludeDeps:
		services = p.Closure(services)
	}
	services = slices.Clone(services)
	sort.Strings(services)
	return slices.Compact(services), nil
}

// pullSkip says why Pull leaves service svc alone, or "" when it pulls its image.
func pullSkip(store *image.Store, svc compose.ServiceConfig, ignoreBuildable bool, pulled map[string]string) string {
	switch {
	case svc.Image == "":
		return "No image to be pulled"
	case ignoreBuildable && svc.Build != nil:
		return "Image can be built"
	case svc.PullPolicy == PullNever || svc.PullPolicy == "build":
		return "Image is built or never pulled (pull_policy " + svc.PullPolicy + ")"
	case pulled[svc.Image] != "":
		return "Image is already being pulled by " + pulled[svc.Image]
	}
	if svc.PullPolicy == PullMissing || svc.PullPolicy == "if_not_present" {
		if _, err := store.Get(svc.Image); err == nil {
			return "Image is already present locally"
		}
	}
	return ""
}
