package project

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/berth-dev/berth/builder"
	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/image"
)

// BuildOptions tune Build, as `docker compose build`'s flags.
type BuildOptions struct {
	// Services to build; empty means every service with a build section.
	Services []string
	// NoCache runs every instruction again (`--no-cache`).
	NoCache bool
	// Pull always pulls base images (`--pull`).
	Pull bool
	// BuildArgs override the services' build args (`--build-arg K=V`).
	BuildArgs map[string]string
	// Progress receives the builder's plain progress output; nil prints nothing.
	Progress io.Writer
	// WithDependencies also builds the services the named ones depend on, transitively
	// (`--with-dependencies`).
	WithDependencies bool
	// Push pushes each built image that has an image: name, under it and its build
	// tags, as Push does (`--push`).
	Push bool
}

// BuiltImage is the result of building one service.
type BuiltImage struct {
	Service string
	Image   string // the name it was tagged with
	ID      string
}

// ImageName is the name a service's built image gets: its `image:`, else
// <project>-<service>, as Docker Compose names it.
func ImageName(p *compose.Project, service string) string {
	if img := p.Services[service].Image; img != "" {
		return img
	}
	return p.Name + "-" + service
}

// Build builds the images of the selected services that have a build section
// (buildServices: with their dependencies on request, and the services their
// additional_contexts name), one after the other, and stops at the first failure.
// With Push each built image that has an image: name is pushed once built. Asking for
// a service without a build section is an error wrapping ErrInvalid, for an unknown
// one ErrNotFound.
func Build(ctx context.Context, c Config, p *compose.Project, opts BuildOptions) ([]BuiltImage, error) {
	names, err := buildServices(p, opts)
	if err != nil {
		return nil, err
	}
	store, err := c.imageStore()
	if err != nil {
		return nil, err
	}
	var out []BuiltImage
	for _, name := range names {
		b, err := c.buildService(ctx, store, p, name, opts)
		if err != nil {
			return out, err
		}
		out = append(out, b)
		if svc := p.Services[name]; opts.Push && svc.Image != "" {
			for _, tag := range append([]string{svc.Image}, svc.Build.Tags...) {
				if err := pushImage(ctx, store, tag, opts.Progress); err != nil {
					return out, fmt.Errorf("service %q: %w", name, err)
				}
			}
		}
	}
	return out, nil
}

// buildService builds the image of one service with a build section and tags it
// ImageName(p, name) plus the section's extra tags.
func (c Config) buildService(ctx context.Context, store *image.Store, p *compose.Project, name string, opts BuildOptions) (BuiltImage, error) {
	svc, ok := p.Services[name]
	if !ok {
		return BuiltImage{}, fmt.Errorf("build: no such service %q: %w", name, ErrInvalid)
	}
	if svc.Build == nil {
		return BuiltImage{}, fmt.Errorf("build: service %q has no build section: %w", name, ErrInvalid)
	}
	bopts, err := buildOptions(p, name, svc.Build, opts)
	if err != nil {
		return BuiltImage{}, err
	}
	bopts.Store, bopts.Engine = store, c.engine()
	id, err := builder.Build(ctx, bopts)
	if err != nil {
		return BuiltImage{}, fmt.Errorf("build service %q: %w", name, err)
	}
	return BuiltImage{Service: name, Image: bopts.Tags[0], ID: id}, nil
}

// buildOptions translates a compose build section into builder options.
func buildOptions(p *compose.Project, name string, b *compose.BuildConfig, opts BuildOptions) (builder.Options, error) {
	if strings.Contains(b.Context, "://") || strings.HasPrefix(b.Context, "git@") {
		return builder.Options{}, fmt.Errorf("build service %q: context %s: remote build contexts are not supported by berth: %w", name, b.Context, ErrInvalid)
	}
	args := map[string]string{}
	for k, v := range b.Args {
		if v != nil {
			args[k] = *v
		} else if ev, ok := p.Env[k]; ok {
			args[k] = ev // `args: [NAME]` takes the value from the environment, if set
		}
	}
	for k, v := range opts.BuildArgs {
		args[k] = v
	}
	if err := p.BuildErrors(name); err != nil {
		return builder.Options{}, fmt.Errorf("build service %q: %w", name, err)
	}
	var secrets map[string]string // RUN --mount=type=secret,id=: the target's name, else the source's
	for _, s := range b.Secrets {
		if secrets == nil {
			secrets = map[string]string{}
		}
		id := s.Source
		if s.Target != "" && !strings.Contains(s.Target, "/") {
			id = s.Target
		}
		secrets[id] = p.Secrets[s.Source].File
	}
	var hosts []string
	for _, h := range slices.Sorted(maps.Keys(b.ExtraHosts)) {
		for _, ip := range b.ExtraHosts[h] {
			hosts = append(hosts, ip+"\t"+h)
		}
	}
	var ulimits []engine.Ulimit
	for _, n := range slices.Sorted(maps.Keys(b.Ulimits)) {
		if u := b.Ulimits[n]; u != nil {
			soft, hard := u.Soft, u.Hard
			if u.Single != 0 {
				soft, hard = u.Single, u.Single
			}
			ulimits = append(ulimits, engine.Ulimit{Name: n, Soft: uint64(soft), Hard: uint64(hard)})
		}
	}
	var contexts map[string]string // additional_contexts: service: is the image it builds
	for k, v := range b.AdditionalContexts {
		if contexts == nil {
			contexts = map[string]string{}
		}
		if svc, ok := strings.CutPrefix(v, "service:"); ok {
			v = "docker-image://" + ImageName(p, svc)
		}
		contexts[k] = v
	}
	pull := builder.PullMissing
	if opts.Pull || b.Pull {
		pull = builder.PullAlways
	}
	tags := append([]string{ImageName(p, name)}, b.Tags...)
	return builder.Options{
		ContextDir:       b.Context,
		Dockerfile:       b.Dockerfile,
		DockerfileInline: b.DockerfileInline,
		BuildArgs:        args,
		Target:           b.Target,
		Labels:           b.Labels,
		Secrets:          secrets,
		NamedContexts:    contexts,
		Network:          b.Network,
		ExtraHosts:       hosts,
		ShmSize:          int64(b.ShmSize),
		Ulimits:          ulimits,
		Privileged:       b.Privileged,
		NoCache:          opts.NoCache || b.NoCache,
		Pull:             pull,
		Tags:             tags,
		Progress:         opts.Progress,
	}, nil
}
