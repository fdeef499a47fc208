package kube

import (
	"slices"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
	corev1 "k8s.io/api/core/v1"
)

// security maps user, cap_add, cap_drop, read_only, privileged and security_opt to the
// container's securityContext; nil when the service sets none of them.
func (c *converter) security(s compose.ServiceConfig) *corev1.SecurityContext {
	sc := &corev1.SecurityContext{}
	set := false
	if s.User != "" {
		set = c.runAs(s, sc)
	}
	if len(s.CapAdd) > 0 || len(s.CapDrop) > 0 {
		sc.Capabilities = &corev1.Capabilities{Add: capNames(s.CapAdd), Drop: capNames(s.CapDrop)}
		set = true
	}
	if s.ReadOnly {
		sc.ReadOnlyRootFilesystem = &s.ReadOnly
		set = true
	}
	if s.Privileged {
		sc.Privileged = &s.Privileged
		set = true
	}
	for i, opt := range s.SecurityOpt {
		set = c.securityOpt(s, i, opt, sc) || set
	}
	if !set {
		return nil
	}
	return sc
}

// runAs sets a numeric user[:group]; a user name needs the image's /etc/passwd, which
// Kubernetes does not read.
func (c *converter) runAs(s compose.ServiceConfig, sc *corev1.SecurityContext) bool {
	user, group, hasGroup := strings.Cut(s.User, ":")
	uid, err := strconv.ParseInt(user, 10, 64)
	if err != nil {
		c.warn("services."+s.Name+".user", "user %q: Kubernetes takes a numeric user ID; left out", s.User)
		return false
	}
	sc.RunAsUser = &uid
	if hasGroup {
		gid, err := strconv.ParseInt(group, 10, 64)
		if err != nil {
			c.warn("services."+s.Name+".user", "group %q: Kubernetes takes a numeric group ID; left out", group)
			return true
		}
		sc.RunAsGroup = &gid
	}
	return true
}

// capNames are capabilities as Kubernetes writes them: upper case, no CAP_ prefix.
func capNames(caps []string) []corev1.Capability {
	var out []corev1.Capability
	for _, c := range caps {
		out = append(out, corev1.Capability(strings.TrimPrefix(strings.ToUpper(c), "CAP_")))
	}
	return out
}

// securityOpt maps one security_opt entry; it reports whether it set anything.
func (c *converter) securityOpt(s compose.ServiceConfig, i int, opt string, sc *corev1.SecurityContext) bool {
	path := "services." + s.Name + ".security_opt[" + strconv.Itoa(i) + "]"
	key, value, _ := strings.Cut(strings.Replace(opt, "=", ":", 1), ":")
	switch {
	case key == "no-new-privileges" && value != "false":
		// Kubernetes refuses it beside privileged or CAP_SYS_ADMIN (which imply it).
		if s.Privileged || slices.Contains(capNames(s.CapAdd), "SYS_ADMIN") || slices.Contains(capNames(s.CapAdd), "ALL") {
			c.warn(path, "no-new-privileges cannot be combined with privileged or CAP_SYS_ADMIN in Kubernetes; left out")
			return false
		}
		no := false
		sc.AllowPrivilegeEscalation = &no
		return true
	case key == "seccomp" && value == "unconfined":
		sc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
		return true
	case key == "apparmor" && value == "unconfined":
		sc.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
		return true
	case key == "no-new-privileges":
		return false
	}
	c.warn(path, "security_opt %q has no Kubernetes equivalent here (profiles are loaded on the nodes); left out", opt)
	return false
}

// podSecurity maps sysctls and numeric group_add entries.
func (c *converter) podSecurity(s compose.ServiceConfig) *corev1.PodSecurityContext {
	psc := &corev1.PodSecurityContext{}
	for _, k := range sortedKeys(s.Sysctls) {
		psc.Sysctls = append(psc.Sysctls, corev1.Sysctl{Name: k, Value: s.Sysctls[k]})
	}
	for i, g := range s.GroupAdd {
		gid, err := strconv.ParseInt(g, 10, 64)
		if err != nil {
			c.warn("services."+s.Name+".group_add["+strconv.Itoa(i)+"]", "group %q: Kubernetes takes numeric group IDs; left out", g)
			continue
		}
		psc.SupplementalGroups = append(psc.SupplementalGroups, gid)
	}
	if len(psc.Sysctls) == 0 && len(psc.SupplementalGroups) == 0 {
		return nil
	}
	return psc
}
