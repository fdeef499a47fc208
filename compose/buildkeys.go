package compose

import (
	"sort"
	"strconv"
	"strings"
)

// unsupportedBuildKeys are the build keys berth's builder cannot honour, with why.
// Building a service that sets one fails (BuildErrors) rather than ignoring it.
var unsupportedBuildKeys = map[string]string{
	"ssh":        "SSH agent forwarding is not supported by berth's builder",
	"cache_from": "external build cache sources are not supported by berth's builder (it keeps its own layer cache)",
	"cache_to":   "external build cache exports are not supported by berth's builder (it keeps its own layer cache)",
}

// BuildErrors returns the problems of service's build section that berth's builder
// cannot act on, as an ErrorList sorted by position (file:line:col, field path), or
// nil: the keys of unsupportedBuildKeys, additional contexts that are URLs (other
// than docker-image://) or bake targets, a network other than host, default (both
// the host's network for RUN) or none, and build secrets that are not files.
func (p *Project) BuildErrors(service string) error {
	var errs ErrorList
	build, _ := p.ServiceModels()[service]["build"].(map[string]any)
	base := "services." + service + ".build"
	keys := make([]string, 0, len(build))
	for k := range build {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if why, ok := unsupportedBuildKeys[k]; ok {
			errs.Add(posOf(p.Positions, base+"."+k), base+"."+k, "%s", why)
		}
	}
	contexts, _ := build["additional_contexts"].(map[string]any)
	for _, name := range sortedKeys(contexts) {
		v, _ := contexts[name].(string)
		if strings.Contains(v, "://") && !strings.HasPrefix(v, "docker-image://") || strings.HasPrefix(v, "target:") {
			path := base + ".additional_contexts." + name
			errs.Add(posOf(p.Positions, path), path, "context %q: berth's builder takes a directory, docker-image:// or service: only", v)
		}
	}
	if n, ok := build["network"]; ok && n != "host" && n != "default" && n != "none" {
		errs.Add(posOf(p.Positions, base+".network"), base+".network", "network %v: berth's builder runs RUN in the host's network or none (host, default or none)", n)
	}
	if svc, ok := p.Services[service]; ok && svc.Build != nil {
		for i, s := range svc.Build.Secrets {
			if sc, ok := p.Secrets[s.Source]; ok && sc.File == "" {
				path := base + ".secrets[" + strconv.Itoa(i) + "]"
				errs.Add(posOf(p.Positions, path), path, "secret %q: berth's builder takes file secrets only", s.Source)
			}
		}
	}
	errs.Sort()
	return errs.Err()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
