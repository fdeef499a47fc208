package compose

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Project is a loaded, merged and normalized compose project, in two views of the
// same content:
//
//   - Model is Docker Compose's JSON model (the same keys and normalized values as
//     `docker compose config --format json`); `berth config` prints it.
//   - Services, Networks, Volumes, Secrets and Configs are the typed model the
//     orchestrator uses (see ServiceConfig), decoded from Model by Load. Edits to one
//     view are not reflected in the other.
//
// Positions maps field paths (services.web.ports[0]) to the place their value came
// from; Env is the interpolation environment.
type Project struct {
	Name       string
	WorkingDir string
	Services   map[string]ServiceConfig
	// Disabled are the services the files declare that the project leaves out: those of
	// profiles not enabled and, when services are selected, those outside the selection
	// and its dependencies (compose-go's DisabledServices). Their containers are not
	// orphans.
	Disabled   []string
	Networks   map[string]NetworkConfig
	Volumes    map[string]VolumeConfig
	Secrets    map[string]SecretConfig
	Configs    map[string]ConfigObjConfig
	Extensions Extensions // top-level x- keys
	Model      map[string]any
	Positions  map[string]Position
	Env        map[string]string
	// Warnings are what loading noticed that is not an error: every use of a variable
	// that is not set and has no default ($VAR, ${VAR}), which became "" (as Compose,
	// which warns of them too). Commands print them.
	Warnings []Warning

	// escapeDollars: the project was interpolated, so its rendering escapes "$" as
	// "$$" (docker compose config does so, and the output stays loadable).
	escapeDollars bool
	// raw: loaded with NoInterpolate; rendered like Compose's untyped model, keys
	// sorted.
	serviceExt map[string]map[string]any // services' x- keys, printed in YAML only
	raw        bool
}

// MarshalJSON renders the model as Compose's JSON (see JSON for the formatted form).
func (p *Project) MarshalJSON() ([]byte, error) { return p.JSON() }

// ServiceModels returns the services' JSON models (as in Model) by name.
func (p *Project) ServiceModels() map[string]map[string]any {
	out := map[string]map[string]any{}
	svcs, _ := p.Model["services"].(map[string]any)
	for n, s := range svcs {
		if m, ok := s.(map[string]any); ok {
			out[n] = m
		}
	}
	return out
}

func readFile(f string, stdin io.Reader) ([]byte, error) {
	if f == "-" {
		if stdin == nil {
			return nil, fmt.Errorf("read compose file from stdin: no stdin: %w", ErrNotFound)
		}
		return io.ReadAll(stdin)
	}
	data, err := os.ReadFile(f)
	if err != nil {
		return nil, fmt.Errorf("read compose file: %w", err)
	}
	return data, nil
}

func loadFiles(opts Options, files []string, projectDir string, env map[string]string) (*Project, error) {
	var errs, schemaErrs ErrorList
	var warns []Warning
	pos := map[string]Position{}
	var model map[string]any
	for _, f := range files {
		l := &fileLoader{opts: opts, env: env, pos: pos, errs: &errs, warns: &warns, stack: []string{f}, schemaErrs: &schemaErrs}
		if m := l.load(f, projectDir); m != nil {
			model = mergeModel(model, m)
		}
	}
	if model == nil {
		model = map[string]any{}
	}
	stripAll(model)
	checkKeys(model, pos, &errs)
	// Errors so far do not stop the load: finalizing reports the rest (undefined
	// references, cycles, bad values) so the user sees every problem at once.
	p := &Project{WorkingDir: projectDir, Model: model, Positions: pos, Env: env, Warnings: warns,
		escapeDollars: !opts.NoInterpolate, raw: opts.NoInterpolate}
	p.Name = projectName(opts, model, projectDir, env)
	fin := &finalizer{p: p, errs: &errs, env: env, raw: opts.NoInterpolate, noNormalize: opts.NoNormalize,
		noPaths: opts.NoResolvePaths, noEnv: opts.NoEnvResolution, noConsistency: opts.NoConsistency}
	fin.run(enabledProfiles(opts, env), opts.Services)
	addSchemaErrors(&errs, schemaErrs)
	if len(errs) == 0 {
		p.decodeTyped(&errs)
		p.dropServiceExtensions()
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

func mergeModel(dst, src map[string]any) map[string]any {
	if dst == nil {
		return stripMarkers(src)
	}
	for k, v := range src {
		if k != "services" && k != "jobs" {
			dst[k] = merge(dst[k], v, "")
			continue
		}
		ds, _ := dst[k].(map[string]any)
		ss, _ := v.(map[string]any)
		if ds == nil {
			dst[k] = v
			continue
		}
		for n, s := range ss {
			if _, isReset := s.(reset); isReset {
				delete(ds, n)
				continue
			}
			ds[n] = mergeService(ds[n], s)
		}
	}
	return dst
}

func mergeService(dst, src any) any {
	d, ok1 := dst.(map[string]any)
	s, ok2 := src.(map[string]any)
	if !ok1 || !ok2 {
		return merge(dst, src, "")
	}
	for k, v := range s {
		if _, isReset := v.(reset); isReset {
			delete(d, k)
			continue
		}
		d[k] = mergeField(d[k], v, k)
	}
	return d
}

// mergeField merges one service field; field is its path inside the service.
func mergeField(dst, src any, field string) any {
	dm, ok1 := dst.(map[string]any)
	sm, ok2 := src.(map[string]any)
	if ok1 && ok2 {
		for k, v := range sm {
			if _, isReset := v.(reset); isReset {
				delete(dm, k)
				continue
			}
			dm[k] = mergeField(dm[k], v, field+"."+k)
		}
		return dm
	}
	return merge(dst, src, field)
}

func projectName(opts Options, model map[string]any, dir string, env map[string]string) string {
	switch {
	case opts.ProjectName != "":
		return opts.ProjectName
	case env["COMPOSE_PROJECT_NAME"] != "":
		return env["COMPOSE_PROJECT_NAME"]
	}
	if n, ok := model["name"].(string); ok && n != "" {
		return NormalizeProjectName(n)
	}
	base := dir[strings.LastIndex(dir, "/")+1:]
	return NormalizeProjectName(base)
}

// enabledProfiles are the --profile flags or else, as compose-go's
// WithDefaultProfiles, COMPOSE_PROFILES split at commas and trimmed: with neither,
// the one profile "", which a service listing "" in its profiles has.
func enabledProfiles(opts Options, env map[string]string) []string {
	if len(opts.Profiles) > 0 {
		return slices.Clone(opts.Profiles)
	}
	var profiles []string
	for _, p := range strings.Split(env["COMPOSE_PROFILES"], ",") {
		profiles = append(profiles, strings.TrimSpace(p))
	}
	return profiles
}
