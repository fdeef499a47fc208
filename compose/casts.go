package compose

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// castKind is the type a field holds once interpolated.
type castKind int

const (
	castBool castKind = iota
	castInt
	castFloat
)

// castPatterns are the fields whose interpolated strings Compose casts back to the
// field's type: the list of compose-go v2.16.1's loader/interpolate.go
// (interpolateTypeCastMapping). "*" is any key, "[]" any list index.
var castPatterns = map[string]castKind{
	"networks.*.external": castBool, "networks.*.internal": castBool, "networks.*.attachable": castBool,
	"networks.*.enable_ipv4": castBool, "networks.*.enable_ipv6": castBool,
	"volumes.*.external": castBool, "secrets.*.external": castBool, "configs.*.external": castBool,

	"services.*.cpu_count": castInt, "services.*.cpu_percent": castFloat, "services.*.cpu_period": castInt,
	"services.*.cpu_quota": castInt, "services.*.cpu_rt_period": castInt, "services.*.cpu_rt_runtime": castInt,
	"services.*.cpus": castFloat, "services.*.cpu_shares": castInt, "services.*.init": castBool,
	"services.*.oom_kill_disable": castBool, "services.*.oom_score_adj": castInt, "services.*.pids_limit": castInt,
	"services.*.privileged": castBool, "services.*.read_only": castBool,
	"services.*.ulimits.*": castInt, "services.*.ulimits.*.hard": castInt, "services.*.ulimits.*.soft": castInt,
	"services.*.volumes[].read_only": castBool, "services.*.volumes[].volume.nocopy": castBool,

	"services.*.depends_on.*.required": castBool, "services.*.depends_on.*.restart": castBool,
	"services.*.healthcheck.retries": castInt, "services.*.healthcheck.disable": castBool,
	"services.*.ports[].target": castInt, "services.*.stdin_open": castBool, "services.*.tty": castBool,

	"services.*.deploy.replicas": castInt, "services.*.deploy.update_config.parallelism": castInt,
	"services.*.deploy.update_config.max_failure_ratio":   castFloat,
	"services.*.deploy.rollback_config.parallelism":       castInt,
	"services.*.deploy.rollback_config.max_failure_ratio": castFloat,
	"services.*.deploy.restart_policy.max_attempts":       castInt,
	"services.*.deploy.placement.max_replicas_per_node":   castInt,
	"services.*.scale": castInt,
}

// containerSpecCasts also apply to a service's pre_start hooks (init containers).
var containerSpecCasts = []string{"cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period",
	"cpu_rt_runtime", "cpus", "cpu_shares", "init", "oom_kill_disable", "oom_score_adj", "pids_limit",
	"privileged", "read_only", "ulimits.*", "ulimits.*.hard", "ulimits.*.soft", "volumes[].read_only",
	"volumes[].volume.nocopy"}

// castPath matches a concrete field path (services.web.ports[0].target) with its
// pattern: the path's keys become "*" one by one where the pattern has one.
var (
	indexRe   = regexp.MustCompile(`\[\d+\]`)
	castIndex = buildCastIndex()
)

func buildCastIndex() map[string]castKind {
	out := make(map[string]castKind, len(castPatterns)+len(containerSpecCasts))
	for p, k := range castPatterns {
		out[p] = k
	}
	for _, f := range containerSpecCasts {
		out["services.*.pre_start[]."+f] = castPatterns["services.*."+f]
	}
	return out
}

// castFor returns the cast of a field path, if Compose's interpolation casts it.
func castFor(path string) (castKind, bool) {
	return lookupCast(castIndex, path)
}

// lookupCast finds the pattern of index that matches path.
func lookupCast(index map[string]castKind, path string) (castKind, bool) {
	segs := strings.Split(indexRe.ReplaceAllString(path, "[]"), ".")
	if segs[0] == "jobs" { // a job's keys are a service's
		segs[0] = "services"
	}
	return matchCast(index, segs, 0, "")
}

func matchCast(index map[string]castKind, segs []string, i int, prefix string) (castKind, bool) {
	if i == len(segs) {
		k, ok := index[prefix]
		return k, ok
	}
	join := func(s string) string {
		if prefix == "" {
			return s
		}
		return prefix + "." + s
	}
	if k, ok := matchCast(index, segs, i+1, join(segs[i])); ok {
		return k, true
	}
	// A key (service, ulimit, dependency name) matches "*", with its list suffix.
	rest := ""
	if strings.HasSuffix(segs[i], "[]") {
		rest = "[]"
	}
	return matchCast(index, segs, i+1, join("*"+rest))
}

// cast converts an interpolated string to the field's type as compose-go does
// (booleans as YAML 1.1 reads them, with a warning for y/yes/on/n/no/off).
func (k castKind) cast(s string) (v any, warn string, err error) {
	switch k {
	case castBool:
		switch strings.ToLower(s) {
		case "true":
			return true, "", nil
		case "false":
			return false, "", nil
		case "y", "yes", "on":
			return true, fmt.Sprintf("%q for boolean is not supported by YAML 1.2, please use `true`", s), nil
		case "n", "no", "off":
			return false, fmt.Sprintf("%q for boolean is not supported by YAML 1.2, please use `false`", s), nil
		}
		return nil, "", fmt.Errorf("invalid boolean: %s", s)
	case castInt:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, "", fmt.Errorf("invalid integer: %s", s)
		}
		return int(n), "", nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, "", fmt.Errorf("invalid number: %s", s)
	}
	return f, "", nil
}

// decodeCast applies decodeCasts to the shaped model: a string in a field whose
// compose-go type is a boolean or a number becomes one, as compose-go's decoder does.
func (f *finalizer) decodeCast(v any, path string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = f.decodeCast(e, joinPath(path, k))
		}
	case []any:
		for i, e := range x {
			x[i] = f.decodeCast(e, fmt.Sprintf("%s[%d]", path, i))
		}
	case string:
		kind, ok := lookupCast(decodeCasts, path)
		if !ok {
			return v
		}
		c, _, err := kind.cast(x)
		if err != nil {
			f.fail(path, "failed to cast to expected type: %s", err)
			return v
		}
		return c
	}
	return v
}
