// Code generated from compose-go v2.16.1 types (json tags with omitempty on
// non-pointer, non-struct fields); keep in step with keyOrders.

package compose

// omitEmpty lists, per model context, the fields Compose's outputs leave out when
// they hold their zero value ("", false, 0, an empty list or map): compose-go's
// omitempty fields that are not pointers nor structs.
var omitEmpty = map[string]map[string]bool{
	"*.jobs.*":                                   jobOmit,
	"*.services.*.pre_start[]":                   containerSpecOmit,
	"*.configs.*":                                set("name", "file", "environment", "content", "external", "labels", "driver", "driver_opts", "template_driver"),
	"*.secrets.*":                                set("name", "file", "environment", "content", "external", "labels", "driver", "driver_opts", "template_driver"),
	"*.networks.*":                               set("name", "driver", "driver_opts", "external", "internal", "attachable", "labels"),
	"*.networks.*.ipam":                          set("driver", "config", "options"),
	"*.networks.*.ipam.config[]":                 set("subnet", "gateway", "ip_range", "aux_addresses"),
	"*.volumes.*":                                set("name", "driver", "driver_opts", "external", "labels"),
	"*.models.*":                                 set("name", "model", "context_size", "runtime_flags"),
	"*.services.*":                               set("profiles", "restart", "container_name", "external_links", "links", "net", "pre_start", "post_start", "pre_stop", "annotations", "cap_add", "cap_drop", "cgroup_parent", "cgroup", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpus", "cpuset", "cpu_shares", "configs", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "environment", "env_file", "extra_hosts", "group_add", "gpus", "hostname", "image", "ipc", "isolation", "labels", "label_file", "log_driver", "log_opt", "mem_limit", "mem_reservation", "memswap_limit", "mem_swappiness", "mac_address", "models", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "privileged", "pull_policy", "pull_refresh_after", "read_only", "runtime", "secrets", "security_opt", "shm_size", "stop_signal", "storage_opt", "sysctls", "tmpfs", "ulimits", "use_api_socket", "user", "userns_mode", "uts", "volume_driver", "volumes", "volumes_from", "working_dir", "depends_on", "dockerfile", "expose", "ports", "stdin_open", "tty"),
	"*.services.*.build":                         set("context", "dockerfile", "dockerfile_inline", "entitlements", "args", "provenance", "sbom", "ssh", "labels", "cache_from", "cache_to", "no_cache", "no_cache_filter", "additional_contexts", "pull", "extra_hosts", "isolation", "network", "target", "secrets", "shm_size", "tags", "ulimits", "platforms", "privileged"),
	"*.services.*.build.secrets[]":               set("source", "target", "uid", "gid"),
	"*.services.*.configs[]":                     set("source", "target", "uid", "gid"),
	"*.services.*.secrets[]":                     set("source", "target", "uid", "gid"),
	"*.services.*.depends_on.*":                  set("condition", "restart"),
	"*.services.*.deploy":                        set("mode", "labels", "endpoint_mode"),
	"*.services.*.deploy.placement":              set("constraints", "preferences", "max_replicas_per_node"),
	"*.services.*.deploy.update_config":          set("failure_action", "max_failure_ratio", "order"),
	"*.services.*.deploy.rollback_config":        set("failure_action", "max_failure_ratio", "order"),
	"*.services.*.deploy.resources.limits":       set("cpus", "memory", "pids", "devices", "generic_resources"),
	"*.services.*.deploy.resources.reservations": set("cpus", "memory", "pids", "devices", "generic_resources"),
	"*.services.*.deploy.resources.reservations.devices[]": set("capabilities", "driver", "count", "device_ids", "options"),
	"*.services.*.deploy.resources.limits.devices[]":       set("capabilities", "driver", "count", "device_ids", "options"),
	"*.services.*.gpus[]":                                  set("capabilities", "driver", "count", "device_ids", "options"),
	"*.services.*.deploy.restart_policy":                   set("condition"),
	"*.services.*.devices[]":                               set("source", "target", "permissions"),
	"*.services.*.healthcheck":                             set("test", "disable"),
	"*.services.*.ports[]":                                 set("name", "mode", "host_ip", "target", "published", "protocol", "app_protocol"),
	"*.services.*.ulimits.*":                               set("single", "soft", "hard"),
	"*.services.*.build.ulimits.*":                         set("single", "soft", "hard"),
	"*.services.*.volumes[]":                               set("type", "source", "target", "read_only", "consistency"),
	"*.services.*.volumes[].bind":                          set("selinux", "propagation", "recursive"),
	"*.services.*.volumes[].volume":                        set("labels", "nocopy", "subpath"),
	"*.services.*.volumes[].tmpfs":                         set("size", "mode"),
	"*.services.*.volumes[].image":                         set("subpath"),
	"*.services.*.networks.*":                              set("aliases", "driver_opts", "gw_priority", "interface_name", "ipv4_address", "ipv6_address", "link_local_ips", "mac_address", "priority"),
	"*.services.*.logging":                                 set("driver", "options"),
	"*.services.*.develop":                                 set("watch"),
	"*.services.*.develop.watch[]":                         set("target", "include", "ignore", "initial_sync"),
	"*.services.*.develop.watch[].exec":                    set("user", "privileged", "working_dir", "environment"),
	"*.services.*.extends":                                 set("file", "service"),
	"*.services.*.post_start[]":                            set("user", "privileged", "working_dir", "environment"),
	"*.services.*.pre_stop[]":                              set("user", "privileged", "working_dir", "environment"),
	"*.services.*.provider":                                set("type", "options"),
	"*.services.*.blkio_config":                            set("weight", "weight_device", "device_read_bps", "device_read_iops", "device_write_bps", "device_write_iops"),
	"*.services.*.credential_spec":                         set("config", "file", "registry"),
	"*.services.*.models.*":                                set("endpoint_var", "model_var"),
}

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// containerSpecOmit is omitEmpty of compose-go's ContainerSpec (and PreStartHook).
var containerSpecOmit = set("annotations", "cap_add", "cap_drop", "cgroup_parent", "cgroup", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpus", "cpuset", "cpu_shares", "configs", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "environment", "env_file", "extra_hosts", "group_add", "gpus", "hostname", "image", "ipc", "isolation", "labels", "label_file", "log_driver", "log_opt", "mem_limit", "mem_reservation", "memswap_limit", "mem_swappiness", "mac_address", "models", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "privileged", "pull_policy", "pull_refresh_after", "read_only", "runtime", "secrets", "security_opt", "shm_size", "stop_signal", "storage_opt", "sysctls", "tmpfs", "ulimits", "use_api_socket", "user", "userns_mode", "uts", "volume_driver", "volumes", "volumes_from", "working_dir", "per_replica")

// containerSpecKeys are the keys of compose-go's ContainerSpec: what a pre_start hook
// inherits from its service.
var containerSpecKeys = set("annotations", "blkio_config", "cap_add", "cap_drop", "cgroup_parent", "cgroup", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpus", "cpuset", "cpu_shares", "command", "configs", "credential_spec", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "environment", "env_file", "extra_hosts", "group_add", "gpus", "hostname", "image", "init", "ipc", "isolation", "labels", "label_file", "logging", "log_driver", "log_opt", "mem_limit", "mem_reservation", "memswap_limit", "mem_swappiness", "mac_address", "models", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "privileged", "pull_policy", "pull_refresh_after", "read_only", "runtime", "secrets", "security_opt", "shm_size", "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "ulimits", "use_api_socket", "user", "userns_mode", "uts", "volume_driver", "volumes", "volumes_from", "working_dir")
