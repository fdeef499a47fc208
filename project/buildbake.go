package project

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/berth-dev/berth/compose"
)

// bakeFile is the bake definition `docker compose build --print` prints: Compose
// hands it to `docker buildx bake`; berth prints the same for tools that read it.
type bakeFile struct {
	Groups  map[string]bakeGroup  `json:"group"`
	Targets map[string]bakeTarget `json:"target"`
}

type bakeGroup struct {
	Targets []string `json:"targets"`
}

// bakeTarget has Compose's fields, in its order (build_bake.go).
type bakeTarget struct {
	Context          string            `json:"context,omitempty"`
	Contexts         map[string]string `json:"contexts,omitempty"`
	Dockerfile       string            `json:"dockerfile,omitempty"`
	DockerfileInline string            `json:"dockerfile-inline,omitempty"`
	Args             map[string]string `json:"args,omitempty"`
	Labels           map[string]string `json:"labels,omitempty"`
	Tags             []string          `json:"tags,omitempty"`
	CacheFrom        []string          `json:"cache-from,omitempty"`
	CacheTo          []string          `json:"cache-to,omitempty"`
	Target           string            `json:"target,omitempty"`
	Secrets          []string          `json:"secret,omitempty"`
	SSH              []string          `json:"ssh,omitempty"`
	Platforms        []string          `json:"platforms,omitempty"`
	Pull             bool              `json:"pull,omitempty"`
	NoCache          bool              `json:"no-cache,omitempty"`
	NetworkMode      string            `json:"network,omitempty"`
	ShmSize          string            `json:"shm-size,omitempty"`
	Ulimits          []string          `json:"ulimits,omitempty"`
	Entitlements     []string          `json:"entitlements,omitempty"`
	ExtraHosts       map[string]string `json:"extra-hosts,omitempty"`
	Outputs          []string          `json:"output,omitempty"`
}

// BakeFile is what `build --print` prints: the bake file Compose would run, as
// indented JSON. Every selected service (with the services it depends on) that has a
// build section is a target (named after it, dots replaced); the default group lists
// those Build would build. version is the value of
// the com.docker.compose.version label. Unknown services wrap ErrNotFound.
func BakeFile(p *compose.Project, opts BuildOptions, version string) ([]byte, error) {
	build, err := buildServices(p, opts)
	if err != nil {
		return nil, err
	}
	names := bakeTargetNames(p)
	bake := bakeFile{Groups: map[string]bakeGroup{}, Targets: map[string]bakeTarget{}}
	selected := p.Closure(nil)
	if len(opts.Services) > 0 {
		selected = p.Closure(append(slices.Clone(opts.Services), build...))
	}
	for _, name := range selected {
		if svc, ok := p.Services[name]; ok && svc.Build != nil {
			bake.Targets[names[name]] = bakeTargetOf(p, svc, names, opts, version)
		}
	}
	group := bakeGroup{Targets: []string{}}
	for _, name := range build {
		group.Targets = append(group.Targets, names[name])
	}
	sort.Strings(group.Targets)
	bake.Groups["default"] = group
	b, err := json.MarshalIndent(bake, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("build --print: %w", err)
	}
	return append(b, '\n'), nil
}

// bakeTargetNames names each service's target as Compose does: dots become "_", and a
// name taken already (in sorted order) gets "_" appended until it is unique.
func bakeTargetNames(p *compose.Project) map[string]string {
	out, used := map[string]string{}, map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		t := strings.ReplaceAll(name, ".", "_")
		for used[t] {
			t += "_"
		}
		out[name], used[t] = t, true
	}
	return out
}

func bakeTargetOf(p *compose.Project, svc compose.ServiceConfig, names map[string]string, opts BuildOptions, version string) bakeTarget {
	b := svc.Build
	t := bakeTarget{Context: b.Context, Dockerfile: bakeDockerfile(b), DockerfileInline: strings.ReplaceAll(b.DockerfileInline, "${", "$${"),
		Args: bakeArgs(p, b, opts), Labels: map[string]string{"com.docker.compose.project": p.Name,
			"com.docker.compose.service": svc.Name, "com.docker.compose.version": version},
		Tags: append(slices.Clone([]string(b.Tags)), ImageName(p, svc.Name)), CacheFrom: b.CacheFrom, CacheTo: b.CacheTo,
		Target: b.Target, Platforms: b.Platforms, Pull: b.Pull || opts.Pull, NoCache: b.NoCache || opts.NoCache,
		NetworkMode: b.Network, Entitlements: b.Entitlements, Outputs: []string{"type=docker"}}
	for k, v := range b.Labels {
		t.Labels[k] = v
	}
	if len(b.AdditionalContexts) > 0 {
		t.Contexts = map[string]string{}
		for k, v := range b.AdditionalContexts {
			if svcName, ok := strings.CutPrefix(v, "service:"); ok {
				v = "target:" + names[svcName]
			}
			t.Contexts[k] = v
		}
	}
	for _, s := range b.Secrets {
		if src := p.Secrets[s.Source].File; src != "" {
			t.Secrets = append(t.Secrets, fmt.Sprintf("id=%s,type=file,src=%s", firstNonEmpty(s.Target, s.Source), src))
		}
	}
	if b.ShmSize != 0 {
		t.ShmSize = fmt.Sprint(int64(b.ShmSize))
	}
	for _, n := range slices.Sorted(maps.Keys(b.Ulimits)) {
		if u := b.Ulimits[n]; u != nil && u.Single > 0 {
			t.Ulimits = append(t.Ulimits, fmt.Sprintf("%s=%d", n, u.Single))
		} else if u != nil {
			t.Ulimits = append(t.Ulimits, fmt.Sprintf("%s=%d:%d", n, u.Soft, u.Hard))
		}
	}
	if len(b.ExtraHosts) > 0 {
		t.ExtraHosts = map[string]string{}
		for h, ips := range b.ExtraHosts {
			t.ExtraHosts[h] = strings.Join(ips, ",")
		}
	}
	if opts.Push && svc.Image != "" {
		t.Outputs = []string{"type=registry"}
	}
	return t
}

// bakeDockerfile is the Dockerfile's path, absolute as Compose prints it ("" when
// the build is inline only).
func bakeDockerfile(b *compose.BuildConfig) string {
	if b.Dockerfile == "" || b.DockerfileInline != "" && b.Dockerfile == "Dockerfile" {
		return ""
	}
	return dockerfilePath(b.Context, b.Dockerfile)
}

// bakeArgs are the build args with the environment's values for bare names and the
// command line's over them, "${" escaped for bake; a bare name the environment lacks
// is left out.
func bakeArgs(p *compose.Project, b *compose.BuildConfig, opts BuildOptions) map[string]string {
	args := map[string]string{}
	for k, v := range b.Args {
		if v != nil {
			args[k] = *v
		} else if ev, ok := p.Env[k]; ok {
			args[k] = ev
		}
	}
	for k, v := range opts.BuildArgs {
		args[k] = v
	}
	for k, v := range args {
		args[k] = strings.ReplaceAll(v, "${", "$${")
	}
	if len(args) == 0 {
		return nil
	}
	return args
}

// buildServices are the services Build builds, in order: the named ones (every
// service with a build section when none is named), with WithDependencies the services
// they depend on, and the services their additional_contexts name (service:NAME),
// transitively, dependencies first. Services pulled in without a build section are
// left out; a named one without is an error wrapping ErrInvalid.
func buildServices(p *compose.Project, opts BuildOptions) ([]string, error) {
	named := opts.Services
	if len(named) == 0 {
		for name, svc := range p.Services {
			if svc.Build != nil {
				named = append(named, name)
			}
		}
		sort.Strings(named)
	}
	for _, name := range named {
		svc, ok := p.Services[name]
		if !ok {
			return nil, fmt.Errorf("build: no such service: %s: %w", name, ErrNotFound)
		}
		if svc.Build == nil && len(opts.Services) > 0 {
			return nil, fmt.Errorf("build: service %q has no build section: %w", name, ErrInvalid)
		}
	}
	deps := p.Dependencies()
	var out []string
	seen := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		svc, ok := p.Services[name]
		if seen[name] || !ok {
			return
		}
		seen[name] = true
		if opts.WithDependencies {
			for _, d := range deps[name] {
				visit(d)
			}
		}
		if svc.Build == nil {
			return
		}
		for _, v := range slices.Sorted(maps.Values(svc.Build.AdditionalContexts)) {
			if dep, ok := strings.CutPrefix(v, "service:"); ok {
				visit(dep)
			}
		}
		out = append(out, name)
	}
	for _, name := range named {
		visit(name)
	}
	return out, nil
}

// dockerfilePath is dockerfile resolved against the context, through symlinks of its
// directory, as Compose's dockerFilePath.
func dockerfilePath(context, dockerfile string) string {
	if strings.Contains(context, "://") {
		return dockerfile
	}
	if !filepath.IsAbs(dockerfile) {
		dockerfile = filepath.Join(context, dockerfile)
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(dockerfile)); err == nil {
		return filepath.Join(dir, filepath.Base(dockerfile))
	}
	return dockerfile
}
