package project

import (
	"context"
	"fmt"
	"io"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine/image"
)

// PushOptions configure Push, as `berth push`'s flags.
type PushOptions struct {
	Services []string // empty: every service
	// IncludeDeps pushes the images of the named services' dependencies too.
	IncludeDeps bool
	// IgnoreFailures reports a failed push and goes on with the others (exit 0).
	IgnoreFailures bool
	Progress       io.Writer // Compose-style status lines and per-layer lines; nil: none
}

// Push pushes the images of the selected services to the registries their names
// say, as `docker compose push`: only services with both image: and a build section
// are pushed (an image pulled from a registry is left alone), each under its image:
// and its build tags, and a service without them is reported Skipped. The first
// failure is returned unless IgnoreFailures, which reports it as a warning and goes
// on. Unknown services wrap ErrNotFound.
func Push(ctx context.Context, cfg Config, p *compose.Project, opts PushOptions) error {
	out := opts.Progress
	if out == nil {
		out = io.Discard
	}
	for _, name := range opts.Services {
		if _, ok := p.Services[name]; !ok {
			return fmt.Errorf("push: no such service: %s: %w", name, ErrNotFound)
		}
	}
	services, err := pullServices(p, PullOptions{Services: opts.Services, IncludeDeps: opts.IncludeDeps})
	if err != nil {
		return err
	}
	store, err := cfg.imageStore()
	if err != nil {
		return err
	}
	for _, name := range services {
		svc := p.Services[name]
		if svc.Build == nil || svc.Image == "" {
			fmt.Fprintf(out, " Service %s  Skipped\n", name)
			continue
		}
		for _, tag := range append([]string{svc.Image}, svc.Build.Tags...) {
			if err := pushImage(ctx, store, tag, opts.Progress); err != nil {
				if !opts.IgnoreFailures {
					fmt.Fprintf(out, " Image %s  Error %v\n", tag, err)
					return fmt.Errorf("service %q: %w", name, err)
				}
				fmt.Fprintf(out, " Image %s  Warning %v\n", tag, err)
			}
		}
	}
	return nil
}

// pushImage pushes tag, reporting to out (nil: nowhere) as Compose does.
func pushImage(ctx context.Context, store *image.Store, tag string, out io.Writer) error {
	po := image.PushOptions{Progress: out}
	if out == nil {
		out = io.Discard
	}
	fmt.Fprintf(out, " Image %s  Pushing\n", tag)
	if _, err := store.Push(ctx, tag, po); err != nil {
		return err
	}
	fmt.Fprintf(out, " Image %s  Pushed\n", tag)
	return nil
}
