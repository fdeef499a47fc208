package kube

import (
	"github.com/berth-dev/berth/compose"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// waitAccount is the ServiceAccount of pods that wait for a Job: it may read Jobs.
const waitAccount = "berth-wait-jobs"

// waits are the init containers of the service's depends_on entries that wait for a
// condition, in name order:
//
//	service_healthy                -> until the dependency's name resolves: its
//	                                  headless Service lists ready pods only, and a
//	                                  pod is ready when its healthcheck passes
//	service_completed_successfully -> kubectl wait for the dependency's Job
//
// service_started needs no wait: Kubernetes starts pods in no order, and a name
// resolves once its pods run.
func (c *converter) waits(s compose.ServiceConfig) []corev1.Container {
	var out []corev1.Container
	for _, dep := range sortedKeys(s.DependsOn) {
		if _, ok := c.p.Services[dep]; !ok {
			continue // an optional dependency that is not in the project
		}
		name := c.names[dep]
		switch s.DependsOn[dep].Condition {
		case compose.ServiceConditionHealthy:
			if h := c.p.Services[dep].HealthCheck; h == nil || h.Disable {
				c.warn("services."+s.Name+".depends_on."+dep, "%s has no healthcheck: waiting for it to be healthy waits for it to run", dep)
			}
			out = append(out, corev1.Container{
				Name:    "wait-" + name,
				Image:   c.opts.WaitImage,
				Command: []string{"sh", "-c", resolveLoop(name)},
				Env: []corev1.EnvVar{{Name: "NAMESPACE", ValueFrom: &corev1.EnvVarSource{
					FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}}},
			})
		case compose.ServiceConditionCompletedSuccessfully:
			out = append(out, corev1.Container{
				Name:    "wait-" + name,
				Image:   c.opts.KubectlImage,
				Command: []string{"kubectl", "wait", "--for=condition=complete", "--timeout=-1s", "job/" + name},
			})
		}
	}
	return out
}

// resolveLoop is a shell loop that ends when name resolves: asked by its full name in
// the default cluster domain (busybox's nslookup does not apply search domains), else
// as it is (for other cluster domains, where the resolver does).
func resolveLoop(name string) string {
	return "until nslookup " + name + ".$NAMESPACE.svc.cluster.local >/dev/null 2>&1 || nslookup " + name +
		" >/dev/null 2>&1; do sleep 1; done"
}

// waitsForJob reports whether the service waits for a Job.
func (c *converter) waitsForJob(s compose.ServiceConfig) bool {
	for dep, d := range s.DependsOn {
		if _, ok := c.p.Services[dep]; ok && d.Condition == compose.ServiceConditionCompletedSuccessfully {
			return true
		}
	}
	return false
}

// waitAccess gives the pods that wait for Jobs a ServiceAccount that may read them.
func (c *converter) waitAccess() {
	if len(c.jobs) == 0 {
		return
	}
	c.add(&corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: c.meta(waitAccount, nil),
	})
	c.add(&rbacv1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
		ObjectMeta: c.meta(waitAccount, nil),
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{"batch"}, Resources: []string{"jobs"}, Verbs: []string{"get", "list", "watch"}}},
	})
	c.add(&rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: c.meta(waitAccount, nil),
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: waitAccount, Namespace: c.opts.Namespace}},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: waitAccount},
	})
}
