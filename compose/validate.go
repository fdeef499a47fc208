package compose

import (
	"sort"
	"strings"
)

var topLevelKeys = []string{"version", "name", "services", "networks", "volumes", "secrets", "configs", "include", "models", "jobs"}

var serviceKeys = strings.Fields(`annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent
command configs container_name cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime
cpu_shares cpus cpuset credential_spec depends_on deploy develop device_cgroup_rules devices dns dns_opt
dns_search domainname entrypoint env_file environment expose extends external_links extra_hosts gpus
group_add healthcheck hostname image init ipc isolation label_file labels links logging mac_address
mem_limit mem_reservation mem_swappiness memswap_limit models network_mode networks oom_kill_disable
oom_score_adj pid pids_limit platform ports post_start pre_start pre_stop privileged profiles provider pull_policy pull_refresh_after
read_only restart runtime scale secrets security_opt shm_size stdin_open stop_grace_period stop_signal
storage_opt sysctls tmpfs tty ulimits use_api_socket user userns_mode uts volumes volumes_from working_dir`)

// checkKeys reports unknown top-level and service keys, with a "did you mean" hint.
func checkKeys(model map[string]any, pos map[string]Position, errs *ErrorList) {
	for k := range model {
		if !strings.HasPrefix(k, "x-") && !contains(topLevelKeys, k) {
			errs.Add(keyPosOf(pos, k), k, "unknown top-level key %q%s", k, hint(k, topLevelKeys))
		}
	}
	svcs, _ := model["services"].(map[string]any)
	for n, s := range svcs {
		svc, _ := s.(map[string]any)
		for k := range svc {
			if !strings.HasPrefix(k, "x-") && !contains(serviceKeys, k) {
				path := "services." + n + "." + k
				errs.Add(keyPosOf(pos, path), path, "unknown key %q%s", k, hint(k, serviceKeys))
			}
		}
	}
}

func contains(list []string, s string) bool {
	i := sort.SearchStrings(list, s)
	if i < len(list) && list[i] == s {
		return true
	}
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// hint returns `, did you mean "x"?` for the closest known key within distance 2.
func hint(key string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := distance(key, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return `, did you mean "` + best + `"?`
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
