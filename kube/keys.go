package kube

import (
	"fmt"
	"strings"
)

// converted are the service keys the conversion carries over (where a value of one
// of them cannot be, the conversion warns itself), or that the loader has already
// applied (extends, profiles, env_file).
var converted = map[string]bool{
	"annotations": true, "build": true, "cap_add": true, "cap_drop": true, "command": true,
	"configs": true, "cpus": true, "depends_on": true, "deploy": true, "dns": true,
	"dns_opt": true, "dns_search": true, "entrypoint": true, "environment": true,
	"env_file": true, "expose": true, "extends": true, "extra_hosts": true, "group_add": true,
	"healthcheck": true, "hostname": true, "image": true, "ipc": true, "labels": true,
	"mem_limit": true, "mem_reservation": true, "network_mode": true, "networks": true,
	"pid": true, "platform": true, "ports": true, "post_start": true, "pre_stop": true,
	"privileged": true, "profiles": true, "pull_policy": true, "read_only": true,
	"restart": true, "scale": true, "secrets": true, "security_opt": true, "shm_size": true,
	"stdin_open": true, "stop_grace_period": true, "sysctls": true, "tmpfs": true, "tty": true,
	"user": true, "volumes": true, "working_dir": true,
}

// notConverted says why a service key has no Kubernetes meaning; a key in neither
// table gets a general message.
var notConverted = map[string]string{
	"attach":              "attach is about `up`'s output; left out",
	"blkio_config":        "block IO weights and throttles have no Kubernetes equivalent; left out",
	"cgroup":              "the cgroup namespace is the runtime's in Kubernetes; left out",
	"cgroup_parent":       "the kubelet chooses cgroups; left out",
	"container_name":      "pods are named by their controller; the service's name is the DNS name",
	"cpu_count":           "cpu_count is Windows-only; left out",
	"cpu_percent":         "cpu_percent is Windows-only; left out",
	"cpu_period":          "the CFS period is the kubelet's; use cpus (a limit); left out",
	"cpu_quota":           "the CFS quota comes from the CPU limit in Kubernetes; use cpus; left out",
	"cpu_rt_period":       "realtime CPU scheduling has no Kubernetes equivalent; left out",
	"cpu_rt_runtime":      "realtime CPU scheduling has no Kubernetes equivalent; left out",
	"cpu_shares":          "CPU shares come from the CPU request in Kubernetes; use deploy.resources.reservations.cpus; left out",
	"cpuset":              "CPU pinning is the kubelet's CPU manager's; left out",
	"credential_spec":     "credential_spec is Windows-only; left out",
	"develop":             "develop (compose watch) is for a local edit loop; left out",
	"device_cgroup_rules": "device rules have no Kubernetes equivalent; left out",
	"devices":             "host devices are offered by device plugins in Kubernetes; left out",
	"domainname":          "the pod's domain is the cluster's; left out",
	"external_links":      "external_links have no Kubernetes equivalent; left out",
	"gpus":                "GPUs are requested as a device plugin's resource (nvidia.com/gpu); left out",
	"init":                "an init process is the image's in Kubernetes; left out",
	"isolation":           "isolation is Windows-only; left out",
	"label_file":          "labels from label_file are left out",
	"links":               "service names resolve in the cluster; the links' aliases are not made",
	"log_driver":          "logs are the node's in Kubernetes; left out",
	"log_opt":             "logs are the node's in Kubernetes; left out",
	"logging":             "logs are the node's in Kubernetes (kubectl logs); left out",
	"mac_address":         "pods get their MAC address from the network plugin; left out",
	"mem_swappiness":      "swap is the node's in Kubernetes; left out",
	"memswap_limit":       "swap is the node's in Kubernetes; left out",
	"models":              "models (Docker Model Runner) have no Kubernetes equivalent; left out",
	"oom_kill_disable":    "the OOM killer is the node's in Kubernetes; left out",
	"oom_score_adj":       "OOM scores come from the pod's QoS class in Kubernetes; left out",
	"pids_limit":          "the pids limit is the kubelet's (per pod); left out",
	"pre_start":           "pre_start hooks have no Kubernetes equivalent (an init container runs in another container); left out",
	"provider":            "provider services have no Kubernetes equivalent; left out",
	"pull_refresh_after":  "pull_refresh_after has no Kubernetes equivalent; left out",
	"runtime":             "the runtime is a RuntimeClass in Kubernetes (runtimeClassName); left out",
	"stop_signal":         "the stop signal is the image's STOPSIGNAL in Kubernetes; left out",
	"storage_opt":         "storage options have no Kubernetes equivalent; left out",
	"ulimits":             "ulimits are the container runtime's on the node; left out",
	"use_api_socket":      "there is no Docker API socket in a cluster; left out",
	"userns_mode":         "user namespaces are the pod's hostUsers setting; left out",
	"uts":                 "the UTS namespace cannot be the host's in Kubernetes; left out",
	"volume_driver":       "volume drivers are storage classes in Kubernetes; left out",
	"volumes_from":        "volumes_from has no Kubernetes equivalent across pods; left out",
}

// notConvertedDeploy are deploy keys without a Kubernetes meaning.
var notConvertedDeploy = map[string]string{
	"labels":          "deploy.labels label the Swarm service; left out",
	"update_config":   "update_config is Swarm's (the Deployment's strategy in Kubernetes); left out",
	"rollback_config": "rollback_config is Swarm's; left out",
	"endpoint_mode":   "endpoint_mode: the service's name resolves to its pods (headless Service); left out",
}

// notConvertedNetwork are keys of a service's network attachment without a meaning.
var notConvertedNetwork = map[string]string{
	"ipv4_address":   "pods get their addresses from the network plugin; left out",
	"ipv6_address":   "pods get their addresses from the network plugin; left out",
	"link_local_ips": "pods get their addresses from the network plugin; left out",
	"mac_address":    "pods get their MAC address from the network plugin; left out",
	"driver_opts":    "network driver options are the network plugin's; left out",
	"priority":       "a pod has one network interface in Kubernetes; left out",
	"gw_priority":    "a pod has one network interface in Kubernetes; left out",
	"interface_name": "a pod has one network interface in Kubernetes; left out",
}

// notConvertedTop are top-level keys of networks and volumes without a meaning.
var notConvertedTop = map[string]map[string]string{
	"networks": {
		"driver":      "networks are the network plugin's in Kubernetes; only isolation is kept (NetworkPolicy)",
		"driver_opts": "networks are the network plugin's in Kubernetes; left out",
		"ipam":        "addresses are the network plugin's in Kubernetes; left out",
		"enable_ipv6": "IP families are the cluster's in Kubernetes; left out",
		"enable_ipv4": "IP families are the cluster's in Kubernetes; left out",
		"attachable":  "attachable is Swarm's; left out",
	},
	"volumes": {
		"driver":      "volume drivers are storage classes in Kubernetes; the claim uses the cluster's default",
		"driver_opts": "volume driver options are a storage class's in Kubernetes; left out",
	},
}

// warnKeys warns of every key of the model that has no Kubernetes meaning.
func (c *converter) warnKeys() {
	models := c.p.ServiceModels()
	for _, name := range c.p.ServiceNames() {
		svc := models[name]
		base := "services." + name
		for _, k := range sortedKeys(svc) {
			switch {
			case strings.HasPrefix(k, "x-"), converted[k]:
			case notConverted[k] != "":
				c.warn(base+"."+k, "%s", notConverted[k])
			default:
				c.warn(base+"."+k, "%s has no Kubernetes equivalent here; left out", k)
			}
		}
		c.warnSub(base+".deploy", svc["deploy"], notConvertedDeploy)
		nets, _ := svc["networks"].(map[string]any)
		for _, n := range sortedKeys(nets) {
			c.warnSub(base+".networks."+n, nets[n], notConvertedNetwork)
		}
	}
	for _, top := range sortedKeys(notConvertedTop) {
		m, _ := c.p.Model[top].(map[string]any)
		for _, n := range sortedKeys(m) {
			c.warnSub(top+"."+n, m[n], notConvertedTop[top])
		}
	}
	if _, ok := c.p.Model["models"]; ok {
		c.warn("models", "models (Docker Model Runner) have no Kubernetes equivalent; left out")
	}
}

// warnSub warns of the keys of the mapping v (at path) that why names.
func (c *converter) warnSub(path string, v any, why map[string]string) {
	m, _ := v.(map[string]any)
	for _, k := range sortedKeys(m) {
		if msg := why[k]; msg != "" && !emptyValue(m[k]) && !(k == "driver" && defaultDriver[fmt.Sprint(m[k])]) {
			c.warn(path+"."+k, "%s", msg)
		}
	}
}

// defaultDriver are the drivers that mean "the default" (a bridge network, a local
// volume): nothing to warn of.
var defaultDriver = map[string]bool{"bridge": true, "local": true, "default": true}

// emptyValue: Compose's model holds some keys with empty values (deploy.placement: {}).
func emptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	case bool:
		return !x
	case string:
		return x == ""
	}
	return false
}
