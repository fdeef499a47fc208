package compose

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/compose/interp"
)

// finalizer applies the project-wide normalization Compose does after merging.
type finalizer struct {
	p    *Project
	errs *ErrorList
	env  map[string]string
	// raw: NoInterpolate, Compose renders its untyped model (no null command,
	// no empty ipam); noNormalize: no default network nor resource names.
	raw, noNormalize bool
	// noPaths, noEnv, noConsistency: Options' NoResolvePaths, NoEnvResolution and
	// NoConsistency.
	noPaths, noEnv, noConsistency bool
}

// localPath is file as berth reads it: relative to the project directory when paths are
// left as written (noPaths).
func (f *finalizer) localPath(file string) string {
	if f.noPaths && !filepath.IsAbs(file) {
		return filepath.Join(f.p.WorkingDir, file)
	}
	return file
}

func (f *finalizer) fail(path, format string, args ...any) {
	f.errs.Add(posOf(f.p.Positions, path), path, format, args...)
}

func (f *finalizer) run(profiles, selected []string) {
	m := f.p.Model
	delete(m, "version")
	m["name"] = f.p.Name
	if !validProjectName.MatchString(f.p.Name) {
		f.fail("name", "invalid project name %q: must contain only lowercase letters, digits, dashes and underscores, and start with a letter or digit", f.p.Name)
	}
	f.checkKeys()
	if !f.raw {
		f.decodeCast(m, "")
		f.validate()
	}
	svcs, ok := m["services"].(map[string]any)
	if !ok {
		if _, has := m["services"]; has && m["services"] != nil {
			f.fail("services", "must be a mapping")
		}
		svcs = map[string]any{}
		m["services"] = svcs
	}
	disabled := map[string]bool{}
	for n, s := range svcs {
		sm, ok := s.(map[string]any)
		if !ok {
			f.fail("services."+n, "must be a mapping, got %v", s)
			continue
		}
		if !profileEnabled(sm, profiles) && !slices.Contains(selected, n) {
			delete(svcs, n)
			disabled[n] = true
			continue
		}
		f.service(n, sm)
	}
	deps := f.errs
	if f.noConsistency {
		deps = &ErrorList{} // cycles are still found: the graph cannot be ordered
		defer func() {
			for _, e := range *deps {
				if strings.Contains(e.Msg, "dependency cycle") {
					f.errs.Add(e.Pos, e.Path, "%s", e.Msg)
				}
			}
		}()
	}
	f.p.checkDependencies(deps, disabled)
	f.p.Disabled = slices.Collect(maps.Keys(disabled))
	f.selectServices(svcs, selected)
	slices.Sort(f.p.Disabled)
	used := f.usedResources(svcs)
	f.jobs(profiles)
	for _, kind := range []string{"networks", "volumes", "secrets", "configs"} {
		f.resources(kind, used[kind])
	}
	dropUnusedModels(m, svcs)
	if !f.raw {
		f.checkNames(svcs)
	}
}

// dropUnusedModels removes the top-level models no (selected) service uses, as
// Compose does (and the models key when none is left).
func dropUnusedModels(m, svcs map[string]any) {
	top, ok := m["models"].(map[string]any)
	if !ok {
		return
	}
	used := map[string]bool{}
	for _, v := range svcs {
		svc, _ := v.(map[string]any)
		sm, _ := svc["models"].(map[string]any)
		for k := range sm {
			used[k] = true
		}
	}
	for k := range top {
		if !used[k] {
			delete(top, k)
		}
	}
	if len(top) == 0 {
		delete(m, "models")
	}
}

func profileEnabled(svc map[string]any, enabled []string) bool {
	list, _ := svc["profiles"].([]any)
	if len(list) == 0 {
		return true
	}
	for _, p := range list {
		if slices.Contains(enabled, fmt.Sprint(p)) || slices.Contains(enabled, "*") {
			return true
		}
	}
	return false
}

func (f *finalizer) service(name string, svc map[string]any) {
	f.workload("services", name, svc)
}

// workload normalizes a service or a job (kind "services" or "jobs").
func (f *finalizer) workload(kind, name string, svc map[string]any) {
	base := kind + "." + name
	enforceUnicity(svc)
	for _, k := range []string{"command", "entrypoint"} {
		if _, ok := svc[k]; !ok && !f.raw {
			svc[k] = nil
		}
	}
	if b, ok := svc["build"].(map[string]any); ok {
		ctx, _ := b["context"].(string)
		if ctx == "" {
			ctx = "."
		}
		if !filepath.IsAbs(ctx) && !strings.Contains(ctx, "://") && !f.noPaths {
			ctx = filepath.Join(f.p.WorkingDir, ctx)
		}
		b["context"] = ctx
		if _, ok := b["dockerfile"]; !ok {
			if _, inline := b["dockerfile_inline"]; !inline {
				b["dockerfile"] = "Dockerfile"
			}
		}
	}
	_, provider := svc["provider"] // run by a provider plugin, not on a network
	if _, ok := svc["networks"]; !ok && !f.noNormalize && !provider {
		if _, mode := svc["network_mode"]; !mode {
			svc["networks"] = map[string]any{"default": nil}
		}
	}
	implicitDeps(svc)
	if !f.noNormalize {
		cleanVolumeTargets(svc)
	}
	if !f.raw {
		preStartInherits(svc)
	}
	if d, ok := svc["deploy"].(map[string]any); ok {
		for _, k := range []string{"placement", "resources"} {
			if _, ok := d[k]; !ok {
				d[k] = map[string]any{}
			}
		}
	}
	if !f.raw {
		watchExecDefaults(svc)
	}
	dependsOnDefaults(svc)
	f.environment(base, svc)
	f.labelFiles(base, svc)
	f.fileReferences(base, svc)
	if hc, ok := svc["healthcheck"].(map[string]any); ok {
		for _, k := range []string{"interval", "timeout", "start_period", "start_interval"} {
			f.duration(base+".healthcheck."+k, hc, k)
		}
	}
	f.duration(base+".stop_grace_period", svc, "stop_grace_period")
	f.normalize(base, svc)
	f.sizes(base, svc)
	f.checkWorkload(kind, name, svc)
}

// cleanVolumeTargets cleans the target path of every volume (long syntax too:
// "/opt/app/" is "/opt/app"), as compose-go's normalization does.
func cleanVolumeTargets(svc map[string]any) {
	vols, _ := svc["volumes"].([]any)
	for _, v := range vols {
		if m, ok := v.(map[string]any); ok {
			if t, ok := m["target"].(string); ok && t != "" {
				m["target"] = path.Clean(t)
			}
		}
	}
}

// preStartInherits completes each pre_start hook with its service's container
// attributes (not volumes), the hook's own winning, as compose-go's normalization
// does (resolvePreStartHooks).
func preStartInherits(svc map[string]any) {
	hooks, _ := svc["pre_start"].([]any)
	for i, h := range hooks {
		hook, ok := h.(map[string]any)
		if !ok {
			continue
		}
		base := map[string]any{}
		for k, v := range svc {
			if k != "volumes" && containerSpecKeys[k] && v != nil {
				base[k] = deepCopy(v)
			}
		}
		merged, _ := mergeService(base, hook).(map[string]any)
		for _, k := range []string{"command", "entrypoint"} {
			if _, ok := merged[k]; !ok && merged != nil {
				merged[k] = nil // written as null, as for a service
			}
		}
		hooks[i] = merged
	}
}

// watchExecDefaults gives every develop.watch rule the "exec" Compose's JSON always
// writes (a struct, not a pointer, in compose-go): {"command": null} when unset.
func watchExecDefaults(svc map[string]any) {
	d, _ := svc["develop"].(map[string]any)
	watch, _ := d["watch"].([]any)
	for _, w := range watch {
		if wm, ok := w.(map[string]any); ok {
			if _, ok := wm["exec"]; !ok {
				wm["exec"] = map[string]any{"command": nil}
			}
		}
	}
}

func (f *finalizer) duration(path string, m map[string]any, k string) {
	v, ok := m[k]
	if !ok {
		return
	}
	d, err := time.ParseDuration(fmt.Sprint(v))
	if err != nil {
		f.fail(path, "invalid duration %q: expected a Go duration like 1m30s", fmt.Sprint(v))
		return
	}
	m[k] = d.String()
}

// environment folds env_file into environment and resolves bare keys from the env. Values
// in env files see, as in Compose, the project's variables first, then the service's
// environment, then the variables of earlier lines and files.
func (f *finalizer) environment(base string, svc map[string]any) {
	env, _ := svc["environment"].(map[string]any)
	files, _ := svc["env_file"].([]any)
	fromFiles := map[string]string{}
	lookup := func(n string) (string, bool) {
		if v, ok := f.env[n]; ok {
			return v, true
		}
		if v, ok := env[n]; ok && v != nil {
			return fmt.Sprint(v), true
		}
		return "", false
	}
	if f.noEnv {
		keepEnvFiles(svc, files)
	} else {
		for i, e := range files {
			f.envFile(fmt.Sprintf("%s.env_file[%d]", base, i), e, lookup, fromFiles)
		}
		delete(svc, "env_file")
	}
	merged := map[string]any{}
	for k, v := range fromFiles {
		merged[k] = v
	}
	for k, v := range env {
		merged[k] = v
	}
	for k, v := range merged {
		if v == nil {
			if ev, ok := f.env[k]; ok {
				merged[k] = ev
			}
		}
	}
	if len(merged) > 0 {
		svc["environment"] = merged
	} else if env != nil {
		delete(svc, "environment")
	}
}

// labelFiles folds the label_file files (dotenv format, later files winning, a line's
// variables resolved from the labels read so far) under labels, as Compose does on
// load; label_file stays, as Compose prints it. A missing file is an error.
func (f *finalizer) labelFiles(base string, svc map[string]any) {
	files, _ := svc["label_file"].([]any)
	if len(files) == 0 {
		return
	}
	fromFiles := map[string]string{}
	lookup := func(n string) (string, bool) { v, ok := fromFiles[n]; return v, ok }
	for i, e := range files {
		path := fmt.Sprintf("%s.label_file[%d]", base, i)
		file, _ := e.(string)
		data, err := os.ReadFile(f.localPath(file))
		if err != nil {
			f.fail(path, "label file %s: %v", file, unwrapPathError(err))
			continue
		}
		if err := parseDotEnv(file, string(data), lookup, fromFiles); err != nil {
			f.fail(path, "%s", err)
		}
	}
	labels, _ := svc["labels"].(map[string]any)
	merged := make(map[string]any, len(fromFiles)+len(labels))
	for k, v := range fromFiles {
		merged[k] = v
	}
	for k, v := range labels {
		merged[k] = v
	}
	if len(merged) > 0 {
		svc["labels"] = merged
	}
}

// unwrapPathError drops the operation and path an *os.PathError repeats.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// envFile reads one env_file entry into out; a missing file is an error when required.
func (f *finalizer) envFile(path string, entry any, lookup interp.LookupFunc, out map[string]string) {
	em, _ := entry.(map[string]any)
	file, _ := em["path"].(string)
	data, err := os.ReadFile(f.localPath(file))
	if err != nil {
		if req, _ := em["required"].(bool); req {
			f.fail(path, "env file %s not found", file)
		}
		return
	}
	if em["format"] == "raw" {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && !strings.HasPrefix(k, "#") {
				out[k] = v
			}
		}
		return
	}
	if err := parseDotEnv(file, string(data), lookup, out); err != nil {
		f.fail(path, "%s", err)
	}
}

// keepEnvFiles leaves env_file as Compose prints it unresolved: its entries without the
// default required: true.
func keepEnvFiles(svc map[string]any, files []any) {
	if len(files) == 0 {
		return
	}
	for _, e := range files {
		if em, ok := e.(map[string]any); ok && em["required"] == true {
			delete(em, "required")
		}
	}
	svc["env_file"] = files
}

// implicitDeps adds the dependencies Compose derives from links, from network_mode, ipc,
// pid, uts and cgroup "service:x" (compose-go's list; only the first three are valid
// values), with restart true, and from volumes_from without.
func implicitDeps(svc map[string]any) {
	var names, noRestart []string
	links, _ := svc["links"].([]any)
	for _, l := range links {
		n, _, _ := strings.Cut(fmt.Sprint(l), ":")
		names = append(names, n)
	}
	for _, k := range []string{"network_mode", "ipc", "pid", "uts", "cgroup"} {
		if mode, ok := svc[k].(string); ok && strings.HasPrefix(mode, "service:") {
			names = append(names, strings.TrimPrefix(mode, "service:"))
		}
	}
	from, _ := svc["volumes_from"].([]any)
	for _, v := range from {
		if s := fmt.Sprint(v); !strings.HasPrefix(s, "container:") {
			n, _, _ := strings.Cut(s, ":")
			noRestart = append(noRestart, n)
		}
	}
	if len(names)+len(noRestart) == 0 {
		return
	}
	deps, _ := svc["depends_on"].(map[string]any)
	if deps == nil {
		deps = map[string]any{}
		svc["depends_on"] = deps
	}
	for _, n := range names {
		if _, ok := deps[n]; !ok {
			deps[n] = map[string]any{"condition": "service_started", "required": true, "restart": true}
		}
	}
	for _, n := range noRestart {
		if _, ok := deps[n]; !ok {
			deps[n] = map[string]any{"condition": "service_started", "required": true}
		}
	}
}

// selectServices keeps only the services named on the command line and those they
// depend on, as `docker compose config SERVICE...` does. An unknown name is an error.
func (f *finalizer) selectServices(svcs map[string]any, selected []string) {
	if len(selected) == 0 {
		return
	}
	for _, n := range selected {
		if _, ok := svcs[n]; !ok {
			f.fail("services", "no such service: %q", n)
		}
	}
	keep := f.p.Closure(selected)
	for n := range svcs {
		if !slices.Contains(keep, n) {
			delete(svcs, n)
			f.p.Disabled = append(f.p.Disabled, n)
		}
	}
}

// fileReferences normalizes a service's secrets and configs: modes as numbers, and
// a secret's default target.
func (f *finalizer) fileReferences(base string, svc map[string]any) {
	for _, k := range []string{"secrets", "configs"} {
		list, _ := svc[k].([]any)
		for i, e := range list {
			em, ok := e.(map[string]any)
			if mode, isStr := em["mode"].(string); ok && isStr {
				// Compose's model holds the mode as a number: 0440 is 288.
				n, err := strconv.ParseUint(mode, 8, 32)
				if err != nil {
					f.fail(fmt.Sprintf("%s.%s[%d].mode", base, k, i), "invalid file mode %q: expected an octal number like 0440", mode)
					continue
				}
				em["mode"] = int(n)
			}
			if !ok || em["target"] != nil {
				continue
			}
			if k == "secrets" {
				em["target"] = "/run/secrets/" + fmt.Sprint(em["source"])
			}
		}
	}
}

// dependsOnDefaults sets required: true where depends_on entries leave it out.
func dependsOnDefaults(svc map[string]any) {
	deps, _ := svc["depends_on"].(map[string]any)
	for d, v := range deps {
		dm, _ := v.(map[string]any)
		if dm == nil {
			dm = map[string]any{}
		}
		if _, ok := dm["required"]; !ok {
			dm["required"] = true
		}
		deps[d] = dm
	}
}
