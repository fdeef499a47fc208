package kube

import (
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// service converts one compose service: its workload, its pod's ConfigMap of
// environment and its Services.
func (c *converter) service(s compose.ServiceConfig) error {
	labels, annotations := c.podLabels(s)
	tmpl := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: annotations},
		Spec:       c.podSpec(s),
	}
	switch {
	case c.jobs[s.Name]:
		c.job(s, tmpl)
	case s.Deploy != nil && s.Deploy.Mode == "global":
		c.daemonSet(s, tmpl)
	case usesNamedVolume(s):
		c.statefulSet(s, tmpl)
	default:
		c.deployment(s, tmpl)
	}
	c.envConfigMap(s)
	c.services(s)
	return nil
}

// podLabels are the selector labels, plus the service's labels that are valid
// Kubernetes labels; the others (free text values, mostly) become annotations, with the
// service's annotations.
func (c *converter) podLabels(s compose.ServiceConfig) (labels, annotations map[string]string) {
	labels = c.selector(s.Name)
	for _, n := range networks(s) {
		labels[networkLabel(n)] = "true"
	}
	for _, k := range sortedKeys(s.Labels) {
		v := s.Labels[k]
		switch {
		case len(validation.IsQualifiedName(k)) == 0 && len(validation.IsValidLabelValue(v)) == 0:
			labels[k] = v
		case len(validation.IsQualifiedName(k)) == 0:
			annotations = setKey(annotations, k, v)
		default:
			c.warn("services."+s.Name+".labels."+k, "label key %q is not a Kubernetes label or annotation key; left out", k)
		}
	}
	for _, k := range sortedKeys(s.Annotations) {
		if len(validation.IsQualifiedName(k)) != 0 {
			c.warn("services."+s.Name+".annotations."+k, "annotation key %q is not a Kubernetes annotation key; left out", k)
			continue
		}
		annotations = setKey(annotations, k, s.Annotations[k])
	}
	return labels, annotations
}

// workloadLabels are the pod's labels without the network memberships (which only
// pods need, for the NetworkPolicies).
func workloadLabels(pod map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range pod {
		if !strings.HasPrefix(k, networkLabelPrefix) {
			out[k] = v
		}
	}
	return out
}

func setKey(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// replicas is deploy.replicas, else scale, else 1.
func (c *converter) replicas(s compose.ServiceConfig) *int32 {
	n := int32(1)
	switch {
	case s.Deploy != nil && s.Deploy.Replicas != nil:
		n = int32(*s.Deploy.Replicas)
	case s.Scale != nil:
		n = int32(*s.Scale)
	}
	return &n
}

func (c *converter) deployment(s compose.ServiceConfig, tmpl corev1.PodTemplateSpec) {
	c.warnRestartAlways(s)
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyAlways
	c.add(&appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: c.meta(c.names[s.Name], workloadLabels(tmpl.Labels)),
		Spec: appsv1.DeploymentSpec{
			Replicas: c.replicas(s),
			Selector: &metav1.LabelSelector{MatchLabels: c.selector(s.Name)},
			Template: tmpl,
		},
	})
}

// daemonSet: a service of deploy.mode global runs one pod per node, as Swarm runs
// one task per node.
func (c *converter) daemonSet(s compose.ServiceConfig, tmpl corev1.PodTemplateSpec) {
	c.warnRestartAlways(s)
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyAlways
	c.add(&appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: c.meta(c.names[s.Name], workloadLabels(tmpl.Labels)),
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: c.selector(s.Name)},
			Template: tmpl,
		},
	})
}

// statefulSet: a service with named volumes keeps them across restarts and moves; its
// pods start in parallel, as Compose starts replicas.
func (c *converter) statefulSet(s compose.ServiceConfig, tmpl corev1.PodTemplateSpec) {
	c.warnRestartAlways(s)
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyAlways
	c.add(&appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: c.meta(c.names[s.Name], workloadLabels(tmpl.Labels)),
		Spec: appsv1.StatefulSetSpec{
			Replicas:            c.replicas(s),
			Selector:            &metav1.LabelSelector{MatchLabels: c.selector(s.Name)},
			ServiceName:         c.names[s.Name],
			PodManagementPolicy: appsv1.ParallelPodManagement,
			Template:            tmpl,
		},
	})
}

// job: a one-shot service others wait for. Its restart policy becomes the pod's
// (Never or OnFailure) and the Job's backoff limit.
func (c *converter) job(s compose.ServiceConfig, tmpl corev1.PodTemplateSpec) {
	policy, backoff := c.jobRestart(s)
	tmpl.Spec.RestartPolicy = policy
	n := c.replicas(s)
	c.add(&batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: c.meta(c.names[s.Name], workloadLabels(tmpl.Labels)),
		Spec: batchv1.JobSpec{
			Parallelism:  n,
			Completions:  n,
			BackoffLimit: &backoff,
			Template:     tmpl,
		},
	})
}

// restart is the service's restart policy, from restart or deploy.restart_policy,
// with the field path it came from.
func restart(s compose.ServiceConfig) (policy, path string, max int32) {
	path = "services." + s.Name + ".restart"
	policy = s.Restart
	if s.Deploy != nil && s.Deploy.RestartPolicy != nil {
		rp := s.Deploy.RestartPolicy
		path = "services." + s.Name + ".deploy.restart_policy"
		policy = map[string]string{"none": "no", "on-failure": "on-failure", "any": "always", "": "always"}[rp.Condition]
		if rp.MaxAttempts != nil {
			return policy, path, int32(*rp.MaxAttempts)
		}
		return policy, path, -1
	}
	if n, ok := strings.CutPrefix(policy, "on-failure:"); ok {
		v, err := strconv.ParseInt(n, 10, 32)
		if err == nil {
			return "on-failure", path, int32(v)
		}
	}
	return policy, path, -1
}

func (c *converter) warnRestartAlways(s compose.ServiceConfig) {
	policy, path, _ := restart(s)
	if policy == "no" || policy == "on-failure" {
		c.warn(path, "restart policy %q: the containers of a Deployment, StatefulSet or DaemonSet are always restarted in Kubernetes", policy)
	}
}

// jobRestart maps a one-shot service's restart policy to the Job's.
func (c *converter) jobRestart(s compose.ServiceConfig) (corev1.RestartPolicy, int32) {
	policy, path, max := restart(s)
	switch policy {
	case "", "no":
		return corev1.RestartPolicyNever, 0
	case "on-failure":
		if max < 0 {
			max = 6 // Kubernetes' default backoff limit
		}
		return corev1.RestartPolicyOnFailure, max
	}
	c.warn(path, "restart policy %q: the service is a Job (another service waits for it to complete); it is restarted on failure only", policy)
	return corev1.RestartPolicyOnFailure, 6
}

// usesNamedVolume reports whether the service mounts a named volume.
func usesNamedVolume(s compose.ServiceConfig) bool {
	for _, v := range s.Volumes {
		if v.Type == "volume" && v.Source != "" {
			return true
		}
	}
	return false
}

// completionWaits is the set of services that another service waits to complete.
func completionWaits(p *compose.Project) map[string]bool {
	out := map[string]bool{}
	for _, s := range p.Services {
		for dep, d := range s.DependsOn {
			if _, ok := p.Services[dep]; ok && d.Condition == compose.ServiceConditionCompletedSuccessfully {
				out[dep] = true
			}
		}
	}
	return out
}
