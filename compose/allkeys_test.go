package compose

import (
	"encoding/json"
	"os"
	"slices"
	"sort"
	"testing"
)

// appliedServiceKeys are the service keys of the compose-spec schema that take effect in
// berth, with where: for issue 19's keys the tests that observe the effect, for the
// others where they are applied (and a test where one observes them), for the keys the
// loader consumes the loading stage. Some warn of values berth cannot honour: userns_mode other than host, log
// drivers other than the built-in ones, AppArmor and SELinux security options, network
// attachments' driver_opts, ports on ::1, npipe and cluster volumes, Swarm-only deploy keys.
var appliedServiceKeys = map[string]string{
	"attach":              "TestE2EAttachFalse",
	"blkio_config":        "TestE2ELinuxKeys, TestE2EAllKeys (throttles; weights where the host's blkio has them, warned otherwise)",
	"build":               "builder (project/build.go)",
	"cap_add":             "engine Spec (project/internal/spec/translate.go)",
	"cap_drop":            "engine Spec (project/internal/spec/translate.go)",
	"cgroup":              "TestE2ELinuxKeys (private), TestE2EAllKeys (host and private)",
	"cgroup_parent":       "TestE2ELinuxKeys, TestE2EAllKeys",
	"command":             "every e2e test",
	"configs":             "project/objects.go; TestE2ESecretsConfigsTmpfs",
	"container_name":      "project/internal/plan/names.go",
	"cpu_period":          "engine Spec (project/internal/spec/translate.go)",
	"cpu_quota":           "engine Spec (project/internal/spec/translate.go)",
	"cpu_rt_period":       "TestE2ELinuxKeys, TestE2EAllKeys (v1 with realtime group scheduling)",
	"cpu_rt_runtime":      "TestE2ELinuxKeys, TestE2EAllKeys (v1 with realtime group scheduling)",
	"cpu_shares":          "engine Spec (project/internal/spec/translate.go)",
	"cpus":                "engine Spec (project/internal/spec/translate.go)",
	"cpuset":              "TestE2ELinuxKeys, TestE2EAllKeys",
	"depends_on":          "TestE2EFailingDependency, TestE2ELinuxKeys",
	"deploy":              "TestE2ELinuxKeys (reservations.memory), TestE2EGPUsThroughCDI (reservations.devices)",
	"develop":             "project/watch.go; TestE2EWatch*",
	"device_cgroup_rules": "TestE2EDeviceCgroupRules, TestE2EAllKeys",
	"devices":             "TestE2EDeviceCgroupRules",
	"dns":                 "project/internal/spec/spec.go (resolv.conf)",
	"dns_opt":             "project/internal/spec/spec.go (resolv.conf)",
	"dns_search":          "project/internal/spec/spec.go (resolv.conf)",
	"domainname":          "project/internal/spec (hostname and /etc/hosts)",
	"entrypoint":          "engine Spec (project/internal/spec/translate.go)",
	"env_file":            "loading (merged into environment)",
	"environment":         "engine Spec (project/internal/spec/translate.go); TestE2EHooks",
	"expose":              "project/internal/spec/shared.go",
	"extends":             "loading (extends.go)",
	"external_links":      "TestE2ENetnamesLinks, TestE2ENetnamesExternalNetwork, TestE2EAllKeys",
	"extra_hosts":         "project/internal/spec/spec.go (/etc/hosts); TestE2EHostGatewayAndDNS",
	"gpus":                "TestE2EGPUsThroughCDI, TestE2EAllKeys",
	"group_add":           "TestE2ELinuxKeys, TestE2EAllKeys",
	"healthcheck":         "TestE2EFirstProbeAfterInterval (start_interval), TestE2EAllKeys (up --wait)",
	"hostname":            "project/internal/spec/spec.go; TestE2ENetworkModeService",
	"image":               "every e2e test",
	"init":                "engine Spec (project/internal/spec/translate.go)",
	"ipc":                 "TestE2ESharedNamespaces, TestE2EAllKeys (container:NAME, private)",
	"label_file":          "loading (merged into labels), TestE2ELinuxKeys, TestE2EAllKeys",
	"labels":              "TestE2ELinuxKeys, TestE2EAllKeys",
	"links":               "TestE2ENetnamesLinks, TestE2EAllKeys",
	"logging":             "TestE2ELogDrivers, TestE2ELinuxKeys (none), TestE2EAllKeys",
	"mac_address":         "TestE2ENetworkKeys, TestE2EAllKeys",
	"mem_limit":           "engine Spec (project/internal/spec/translate.go)",
	"mem_reservation":     "TestE2ELinuxKeys, TestE2EAllKeys",
	"mem_swappiness":      "TestE2ELinuxKeys, TestE2EAllKeys",
	"memswap_limit":       "engine Spec (project/internal/spec/translate.go)",
	"network_mode":        "TestE2ENetworkModeService, TestE2EAllKeys",
	"networks":            "TestE2ENetworkKeys, TestE2ENetnames*, TestE2EAllKeys",
	"oom_kill_disable":    "TestE2ELinuxKeys, TestE2EAllKeys",
	"oom_score_adj":       "TestE2ELinuxKeys, TestE2EAllKeys",
	"pid":                 "TestE2ESharedNamespaces, TestE2EPidServiceStartOrder, TestE2EAllKeys (container:NAME)",
	"pids_limit":          "engine Spec (project/internal/spec/translate.go)",
	"ports":               "TestE2EWebStack, TestE2ENetworkKeys (IPv6), TestE2EAllKeys",
	"post_start":          "TestE2EHooks, TestE2EHookRun, TestE2EAllKeys",
	"pre_stop":            "TestE2EHooks, TestE2EAllKeys",
	"pre_start":           "TestE2EPreStart, TestE2EPreStartCreateStart, TestE2EPreStartFailure",
	"privileged":          "engine Spec (project/internal/spec/translate.go); TestE2EHooks (a privileged hook)",
	"profiles":            "loading (profile selection)",
	"pull_policy":         "project/prepare.go, project/pull.go",
	"read_only":           "engine Spec (project/internal/spec/translate.go)",
	"restart":             "project/lifecycle.go (the shim and supervisor); TestE2ERestart*",
	"scale":               "project/internal/plan/names.go",
	"secrets":             "project/objects.go; TestE2ESecretsConfigsTmpfs",
	"security_opt":        "project/internal/spec/seccomp.go; TestE2ESeccomp*",
	"shm_size":            "engine Spec (project/internal/spec/translate.go)",
	"stdin_open":          "engine Spec (project/internal/spec/translate.go); TestE2ERunStdin",
	"stop_grace_period":   "project/container.go",
	"stop_signal":         "project/container.go",
	"sysctls":             "engine Spec (project/internal/spec/translate.go)",
	"tmpfs":               "engine Spec (project/internal/spec/translate.go); TestE2ESecretsConfigsTmpfs",
	"tty":                 "engine Spec (project/internal/spec/translate.go); TestE2EExec*",
	"ulimits":             "engine Spec (project/internal/spec/translate.go)",
	"user":                "engine Spec (project/internal/spec/translate.go); TestE2EHooks",
	"userns_mode":         "TestE2EAllKeys (host: the host's user namespace)",
	"uts":                 "TestE2ESharedNamespaces, TestE2EAllKeys",
	"volumes":             "TestE2EVolumes*, TestE2ELinuxKeys (propagation, subpath, image), TestE2EAllKeys",
	"volumes_from":        "TestE2EVolumesFrom, TestE2EAllKeys",
	"working_dir":         "engine Spec (project/internal/spec/translate.go); TestE2EHooks",
}

// appliedAttachmentKeys are the keys of a service's network attachment that take effect.
var appliedAttachmentKeys = []string{"aliases", "gw_priority", "interface_name", "ipv4_address", "ipv6_address",
	"link_local_ips", "mac_address", "priority"}

// appliedDeployKeys are the deploy keys that take effect: replicas, restart_policy (as
// restart), resources (limits; reservations of memory and devices), mode replicated.
var appliedDeployKeys = []string{"mode", "replicas", "resources", "restart_policy"}

// specDefs reads the $defs of compose-spec.json.
func specDefs(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("schema/compose-spec.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Defs map[string]any `json:"$defs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Defs
}

// dig follows keys (strings in maps, ints in lists) from v; nil when one is missing.
func dig(v any, path ...any) any {
	for _, k := range path {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// propertyNames are the sorted keys of the schema object's properties.
func propertyNames(v any) []string {
	m, _ := dig(v, "properties").(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// serviceSchemaKeys are the keys of the schema's service definition: its own properties
// and those of the definitions its allOf refers to.
func serviceSchemaKeys(t *testing.T, defs map[string]any) []string {
	t.Helper()
	keys := propertyNames(defs["service"])
	all, _ := dig(defs, "service", "allOf").([]any)
	for _, ref := range all {
		name, _ := dig(ref, "$ref").(string)
		keys = append(keys, propertyNames(defs[name[len("#/$defs/"):]])...)
	}
	sort.Strings(keys)
	if len(keys) < 90 {
		t.Fatalf("the schema's service definition has %d keys, want the spec's 90 and more: %v", len(keys), keys)
	}
	return keys
}

// TestEveryServiceKeyAppliedOrWarned: every key of the schema's service definition (and
// of its network attachments and deploy section) either takes effect in berth or is
// warned of by Unsupported at its place; none is silently ignored. A key the schema gains
// fails here until it is placed in one of the two.
func TestEveryServiceKeyAppliedOrWarned(t *testing.T) {
	defs := specDefs(t)
	p := &Project{}
	for _, k := range serviceSchemaKeys(t, defs) {
		_, applied := appliedServiceKeys[k]
		_, warned := unsupportedServiceKeys[k]
		if applied == warned {
			t.Errorf("service key %q: applied %v, warned %v; want exactly one (appliedServiceKeys or unsupportedServiceKeys)", k, applied, warned)
		}
		if warned && !warnsOf(p, map[string]any{k: "x"}, "services.s."+k) {
			t.Errorf("Unsupported does not warn of services.s.%s", k)
		}
	}
	for k := range appliedServiceKeys {
		if !slices.Contains(serviceSchemaKeys(t, defs), k) {
			t.Errorf("appliedServiceKeys has %q, which the schema's service definition lacks", k)
		}
	}
	attachment := dig(defs, "container_spec", "properties", "networks", "oneOf", 1, "patternProperties", "^[a-zA-Z0-9._-]+$", "oneOf", 0)
	for _, k := range propertyNames(attachment) {
		svc := map[string]any{"networks": map[string]any{"n": map[string]any{k: "x"}}}
		if !slices.Contains(appliedAttachmentKeys, k) && !warnsOf(p, svc, "services.s.networks.n."+k) {
			t.Errorf("network attachment key %q is neither applied nor warned of", k)
		}
	}
	for _, k := range propertyNames(defs["deployment"]) {
		svc := map[string]any{"deploy": map[string]any{k: map[string]any{"x": 1}}}
		if !slices.Contains(appliedDeployKeys, k) && !warnsOf(p, svc, "services.s.deploy."+k) {
			t.Errorf("deploy key %q is neither applied nor warned of", k)
		}
	}
	for _, k := range []string{"cpus", "pids"} {
		svc := map[string]any{"deploy": map[string]any{"resources": map[string]any{"reservations": map[string]any{k: 1}}}}
		if !warnsOf(p, svc, "services.s.deploy.resources.reservations."+k) {
			t.Errorf("deploy.resources.reservations.%s (Swarm-only) is not warned of", k)
		}
	}
}

// warnsOf reports whether Unsupported's checks of service s, as svc, warn at path.
func warnsOf(p *Project, svc map[string]any, path string) bool {
	found := false
	p.unsupportedService("s", svc, func(at, _ string, _ ...any) { found = found || at == path })
	return found
}

// TestEveryNetworkKeyAppliedOrWarned: each key of the schema's network definition and of
// its ipam takes effect, or the value berth cannot honour is warned of at its place.
func TestEveryNetworkKeyAppliedOrWarned(t *testing.T) {
	defs := specDefs(t)
	applied := map[string]bool{"attachable": true, "enable_ipv6": true, "external": true, "internal": true,
		"ipam": true, "labels": true, "name": true}
	warned := map[string]any{"driver": "overlay", "driver_opts": map[string]any{"a": "b"}, "enable_ipv4": false}
	ipamWarned := map[string]any{"driver": "custom", "options": map[string]any{"a": "b"}}
	poolWarned := map[string]any{"aux_addresses": map[string]any{"h": "10.1.0.5"}}
	check := func(kind string, keys []string, samples map[string]any, net func(k string, v any) map[string]any, path func(k string) string) {
		for _, k := range keys {
			v, ok := samples[k]
			switch {
			case ok && !networkWarns(net(k, v), path(k)):
				t.Errorf("%s key %q = %v is not warned of at %s", kind, k, v, path(k))
			case !ok && !applied[k] && kind == "network":
				t.Errorf("network key %q is neither applied nor warned of", k)
			}
		}
	}
	check("network", propertyNames(defs["network"]), warned,
		func(k string, v any) map[string]any { return map[string]any{k: v} },
		func(k string) string { return "networks.n." + k })
	ipam := dig(defs, "network", "properties", "ipam")
	check("ipam", propertyNames(ipam), ipamWarned,
		func(k string, v any) map[string]any { return map[string]any{"ipam": map[string]any{k: v}} },
		func(k string) string { return "networks.n.ipam." + k })
	pool := dig(ipam, "properties", "config", "items")
	check("ipam pool", propertyNames(pool), poolWarned,
		func(k string, v any) map[string]any {
			return map[string]any{"ipam": map[string]any{"config": []any{map[string]any{k: v}}}}
		},
		func(k string) string { return "networks.n.ipam.config[0]." + k })
	for _, k := range propertyNames(ipam) {
		if _, ok := ipamWarned[k]; !ok && k != "config" {
			t.Errorf("ipam key %q is neither applied nor warned of", k)
		}
	}
	for _, k := range propertyNames(pool) {
		if _, ok := poolWarned[k]; !ok && !slices.Contains([]string{"subnet", "gateway", "ip_range"}, k) {
			t.Errorf("ipam pool key %q is neither applied nor warned of", k)
		}
	}
	second := map[string]any{"ipam": map[string]any{"config": []any{
		map[string]any{"subnet": "10.1.0.0/24"}, map[string]any{"subnet": "10.2.0.0/24"}}}}
	if !networkWarns(second, "networks.n.ipam.config[1]") {
		t.Errorf("a second IPv4 subnet is not warned of")
	}
}

// networkWarns reports whether Unsupported warns at path of network n, as m.
func networkWarns(m map[string]any, path string) bool {
	p := &Project{Model: map[string]any{"networks": map[string]any{"n": m}}, Networks: map[string]NetworkConfig{"n": {}}}
	for _, w := range p.Unsupported() {
		if w.Path == path {
			return true
		}
	}
	return false
}

// TestEveryVolumeKeyAppliedOrWarned: each key of the schema's volume definition takes
// effect (labels, name, external, a bind's driver_opts) or is warned of at its place.
func TestEveryVolumeKeyAppliedOrWarned(t *testing.T) {
	applied := []string{"external", "labels", "name"}
	warned := map[string]any{"driver": "nfs", "driver_opts": map[string]any{"type": "tmpfs", "device": "tmpfs"}}
	for _, k := range propertyNames(specDefs(t)["volume"]) {
		v, ok := warned[k]
		if !ok {
			if !slices.Contains(applied, k) {
				t.Errorf("volume key %q is neither applied nor warned of", k)
			}
			continue
		}
		p := &Project{Model: map[string]any{"volumes": map[string]any{"v": map[string]any{k: v}}}, Volumes: map[string]VolumeConfig{"v": {}}}
		ws := p.Unsupported()
		if len(ws) != 1 || ws[0].Path != "volumes.v."+k {
			t.Errorf("Unsupported of volume key %s = %v, want a warning at volumes.v.%s", k, ws, k)
		}
	}
}
