package compose

import (
	"strings"

	"github.com/berth-dev/berth/compose/schema"
)

// checkSchema validates one file's model (interpolated, before its short syntaxes are
// shaped) against the Compose Specification's schema, as Compose validates each file,
// and records each failure in schemaErrs with the field's position. Unknown top-level
// and service keys are left to checkKeys, whose errors say which key was meant.
func checkSchema(m map[string]any, pos map[string]Position, schemaErrs *ErrorList) {
	errs, err := schema.Validate(m, schema.Options{Unwrap: unwrapMarker, Deduplicated: deduplicated})
	if err != nil { // the embedded schema does not compile: a build defect, not the user's
		schemaErrs.Add(Position{}, "", "%v", err)
		return
	}
	for _, e := range errs {
		if e.Unknown && (e.KeyIn == "" || isService(m, strings.TrimPrefix(e.KeyIn, "services."))) {
			continue // checkKeys names the key meant
		}
		if strings.HasPrefix(e.Path, "jobs.") && strings.Count(e.Path, ".") == 1 && e.Msg == missingTriggers {
			continue // checked on the merged jobs (finalizer.jobs): an override file may leave them to the base
		}
		at := posOf(pos, e.Path)
		if e.Unknown {
			at = keyPosOf(pos, e.Key)
		}
		schemaErrs.Add(at, e.Path, "%s", e.Msg)
	}
}

// dedupedLists are the lists Compose deduplicates before it validates (compose-go's
// override.EnforceUnicity), so repeats in them are no error; berth's merge keeps one
// of each too.
var dedupedLists = []string{"networks.*.labels", "networks.*.ipam.options", "services.*.annotations",
	"services.*.build.args", "services.*.build.additional_contexts", "services.*.build.platform",
	"services.*.build.tags", "services.*.build.labels", "services.*.cap_add", "services.*.cap_drop",
	"services.*.devices", "services.*.configs", "services.*.deploy.labels", "services.*.dns",
	"services.*.dns_opt", "services.*.dns_search", "services.*.environment", "services.*.env_file",
	"services.*.expose", "services.*.labels", "services.*.links", "services.*.networks.*.aliases",
	"services.*.networks.*.link_local_ips", "services.*.ports", "services.*.profiles",
	"services.*.secrets", "services.*.sysctls", "services.*.tmpfs", "services.*.volumes"}

func deduplicated(path string) bool {
	for _, pattern := range dedupedLists {
		if matchPath(pattern, path) {
			return true
		}
	}
	return false
}

// matchPath matches a dotted field path against a pattern whose "*" stands for one key.
func matchPath(pattern, path string) bool {
	ps, fs := strings.Split(pattern, "."), strings.Split(path, ".")
	if len(ps) != len(fs) {
		return false
	}
	for i := range ps {
		if ps[i] != "*" && ps[i] != fs[i] {
			return false
		}
	}
	return true
}

// isService reports whether name is a key of the file's services (a service name may
// hold dots, so a field path cannot tell).
func isService(m map[string]any, name string) bool {
	svcs, _ := m["services"].(map[string]any)
	_, ok := svcs[name]
	return ok
}

// unwrapMarker lets the schema see a !override value and accept a !reset.
func unwrapMarker(v any) (any, bool) {
	switch x := v.(type) {
	case reset:
		return nil, true
	case override:
		return x.v, false
	}
	return v, false
}

// addSchemaErrors adds the schema's errors that say something errs does not: one at
// the same field, or above a field errs already explains, is left out (berth's own
// checks name the problem more precisely than the schema's types).
func addSchemaErrors(errs *ErrorList, schemaErrs ErrorList) {
	for _, s := range schemaErrs {
		covered := false
		for _, e := range *errs {
			if e.Path == s.Path || isUnder(e.Path, s.Path) || strings.Count(e.Path, ".") >= 2 && isUnder(s.Path, e.Path) {
				covered = true
				break
			}
		}
		if !covered {
			*errs = append(*errs, s)
		}
	}
}

// isUnder reports whether field path p is inside parent (services.a.build.args is
// inside services.a.build).
func isUnder(p, parent string) bool {
	return len(p) > len(parent) && strings.HasPrefix(p, parent) && (p[len(parent)] == '.' || p[len(parent)] == '[')
}
