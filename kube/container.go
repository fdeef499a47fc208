package kube

import (
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// container is the service's container, without its volume mounts.
func (c *converter) container(s compose.ServiceConfig) corev1.Container {
	ctr := corev1.Container{
		Name:            c.names[s.Name],
		Image:           c.image(s),
		ImagePullPolicy: pullPolicy(s.PullPolicy),
		Command:         c.command(s, "entrypoint", s.Entrypoint),
		Args:            c.command(s, "command", s.Command),
		WorkingDir:      s.WorkingDir,
		Ports:           containerPorts(s),
		Resources:       c.resources(s),
		Lifecycle:       c.lifecycle(s),
		SecurityContext: c.security(s),
		TTY:             s.Tty,
		Stdin:           s.StdinOpen,
	}
	ctr.Env, ctr.EnvFrom = c.env(s)
	ctr.ReadinessProbe, ctr.LivenessProbe, ctr.StartupProbe = c.probes(s)
	return ctr
}

// image is the service's image; a service that is only built gets the name Compose
// gives its image, with a warning to push it.
func (c *converter) image(s compose.ServiceConfig) string {
	img := s.Image
	if img == "" {
		img = c.p.Name + "-" + s.Name
	}
	if s.Build != nil {
		c.warn("services."+s.Name+".build", "build is not run: build the image %q and push it to a registry the cluster pulls from", img)
	}
	return img
}

func pullPolicy(p string) corev1.PullPolicy {
	switch p {
	case "always", "daily", "weekly":
		return corev1.PullAlways
	case "never":
		return corev1.PullNever
	case "missing", "if_not_present", "build":
		return corev1.PullIfNotPresent
	}
	return ""
}

// command is an entrypoint or command with Kubernetes' $(VAR) references escaped, so
// the container gets the words Compose would give it. An empty list (Compose: clear
// the image's) cannot be said in Kubernetes and is warned of.
func (c *converter) command(s compose.ServiceConfig, key string, cmd compose.ShellCommand) []string {
	if cmd != nil && len(cmd) == 0 {
		c.warn("services."+s.Name+"."+key, "an empty %s keeps the image's in Kubernetes", key)
		return nil
	}
	out := make([]string, 0, len(cmd))
	for _, w := range cmd {
		out = append(out, escapeRefs(w))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// escapeRefs doubles the '$' of "$(" which Kubernetes would expand.
func escapeRefs(s string) string { return strings.ReplaceAll(s, "$(", "$$(") }

// containerPorts lists the container's ports: published and exposed targets, sorted,
// once each.
func containerPorts(s compose.ServiceConfig) []corev1.ContainerPort {
	var out []corev1.ContainerPort
	seen := map[string]bool{}
	add := func(port int32, proto corev1.Protocol) {
		key := strconv.Itoa(int(port)) + "/" + string(proto)
		if port <= 0 || seen[key] {
			return
		}
		seen[key] = true
		out = append(out, corev1.ContainerPort{ContainerPort: port, Protocol: proto})
	}
	for _, p := range s.Ports {
		add(int32(p.Target), protocol(p.Protocol))
	}
	for _, e := range s.Expose {
		port, proto, _ := strings.Cut(e, "/")
		lo, hi := portRange(port)
		for n := lo; n <= hi && n-lo < 1000; n++ {
			add(n, protocol(proto))
		}
	}
	return out
}

// portRange parses "80" or "8000-8010"; 0, -1 for anything else.
func portRange(s string) (int32, int32) {
	a, b, isRange := strings.Cut(s, "-")
	lo, err := strconv.ParseUint(a, 10, 16)
	if err != nil {
		return 0, -1
	}
	if !isRange {
		return int32(lo), int32(lo)
	}
	hi, err := strconv.ParseUint(b, 10, 16)
	if err != nil || hi < lo {
		return 0, -1
	}
	return int32(lo), int32(hi)
}

func protocol(p string) corev1.Protocol {
	switch strings.ToLower(p) {
	case "udp":
		return corev1.ProtocolUDP
	case "sctp":
		return corev1.ProtocolSCTP
	}
	return corev1.ProtocolTCP
}

// env puts the service's environment (with its env_file values, which the loader
// merged in) into a ConfigMap <name>-env taken as envFrom. A name a ConfigMap cannot
// hold is set on the container itself; a name without a value (Compose passes the
// caller's, if set) is warned of.
func (c *converter) env(s compose.ServiceConfig) ([]corev1.EnvVar, []corev1.EnvFromSource) {
	var direct []corev1.EnvVar
	inMap := 0
	for _, k := range sortedKeys(s.Environment) {
		v := s.Environment[k]
		switch {
		case v == nil:
			c.warn("services."+s.Name+".environment."+k, "%s has no value: Compose takes it from the caller's environment; set it in the ConfigMap %s-env", k, c.names[s.Name])
		case len(validation.IsEnvVarName(k)) != 0:
			c.warn("services."+s.Name+".environment."+k, "%q is not a Kubernetes environment variable name; left out", k)
		case !inConfigMap(k):
			direct = append(direct, corev1.EnvVar{Name: k, Value: escapeRefs(*v)})
		default:
			inMap++
		}
	}
	if inMap == 0 {
		return direct, nil
	}
	ref := corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: c.names[s.Name] + "-env"}}
	return direct, []corev1.EnvFromSource{{ConfigMapRef: &ref}}
}

// inConfigMap reports whether the variable k goes into the ConfigMap.
func inConfigMap(k string) bool {
	return len(validation.IsEnvVarName(k)) == 0 && len(validation.IsConfigMapKey(k)) == 0
}

// envConfigMap is the ConfigMap env's envFrom names. Values in a ConfigMap are not
// expanded by Kubernetes, so they are kept as they are.
func (c *converter) envConfigMap(s compose.ServiceConfig) {
	data := map[string]string{}
	for k, v := range s.Environment {
		if v != nil && inConfigMap(k) {
			data[k] = *v
		}
	}
	if len(data) == 0 {
		return
	}
	c.add(&corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: c.meta(c.names[s.Name]+"-env", map[string]string{nameLabel: c.names[s.Name]}),
		Data:       data,
	})
}

// lifecycle maps post_start and pre_stop to exec hooks (the first command of each).
func (c *converter) lifecycle(s compose.ServiceConfig) *corev1.Lifecycle {
	if len(s.PostStart) == 0 && len(s.PreStop) == 0 {
		return nil
	}
	l := &corev1.Lifecycle{
		PostStart: c.hook(s, "post_start", s.PostStart),
		PreStop:   c.hook(s, "pre_stop", s.PreStop),
	}
	return l
}

func (c *converter) hook(s compose.ServiceConfig, key string, hooks []compose.ServiceHook) *corev1.LifecycleHandler {
	if len(hooks) == 0 {
		return nil
	}
	path := "services." + s.Name + "." + key
	if len(hooks) > 1 {
		c.warn(path, "Kubernetes runs one %s hook: only the first is kept", key)
	}
	h := hooks[0]
	if h.User != "" || h.Privileged || h.WorkingDir != "" || len(h.Environment) > 0 {
		c.warn(path+"[0]", "a hook runs as the container does: its user, privileged, working_dir and environment are left out")
	}
	return &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string(h.Command)}}
}
