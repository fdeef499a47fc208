package kube

import (
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// podVolumes collects a pod's volumes and its container's mounts; a source mounted
// twice is one volume.
type podVolumes struct {
	vols   []corev1.Volume
	mounts []corev1.VolumeMount
	seen   map[string]bool
}

func (pv *podVolumes) add(v corev1.Volume) {
	if pv.seen == nil {
		pv.seen = map[string]bool{}
	}
	if !pv.seen[v.Name] {
		pv.seen[v.Name] = true
		pv.vols = append(pv.vols, v)
	}
}

func (pv *podVolumes) mount(m corev1.VolumeMount) { pv.mounts = append(pv.mounts, m) }

// volumes maps the service's mounts: named volumes to their claims, anonymous volumes
// and tmpfs to emptyDirs, bind mounts to a warning (or hostPath), and secrets and
// configs to their Secret and ConfigMap.
func (c *converter) volumes(s compose.ServiceConfig) ([]corev1.Volume, []corev1.VolumeMount) {
	pv := &podVolumes{}
	for i, v := range s.Volumes {
		c.volume(s, i, v, pv)
	}
	for i, t := range s.Tmpfs {
		path, _, _ := strings.Cut(t, ":")
		name := "tmpfs-" + strconv.Itoa(len(s.Volumes)+i)
		pv.add(corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}})
		pv.mount(corev1.VolumeMount{Name: name, MountPath: path})
	}
	if s.ShmSize > 0 {
		size := resource.NewQuantity(int64(s.ShmSize), resource.BinarySI)
		pv.add(corev1.Volume{Name: "shm", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: size}}})
		pv.mount(corev1.VolumeMount{Name: "shm", MountPath: "/dev/shm"})
	}
	c.fileMounts(s, pv)
	return pv.vols, pv.mounts
}

func (c *converter) volume(s compose.ServiceConfig, i int, v compose.ServiceVolumeConfig, pv *podVolumes) {
	path := "services." + s.Name + ".volumes[" + strconv.Itoa(i) + "]"
	m := corev1.VolumeMount{MountPath: v.Target, ReadOnly: v.ReadOnly}
	switch {
	case v.Type == "volume" && v.Source != "":
		m.Name = c.claimName(v.Source)
		if v.Volume != nil {
			m.SubPath = v.Volume.Subpath
		}
		pv.add(corev1.Volume{Name: m.Name, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: m.Name}}})
	case v.Type == "volume", v.Type == "tmpfs":
		m.Name = v.Type + "-" + strconv.Itoa(i)
		ed := &corev1.EmptyDirVolumeSource{}
		if v.Type == "tmpfs" {
			ed.Medium = corev1.StorageMediumMemory
			if v.Tmpfs != nil && v.Tmpfs.Size > 0 {
				ed.SizeLimit = resource.NewQuantity(int64(v.Tmpfs.Size), resource.BinarySI)
			}
		}
		pv.add(corev1.Volume{Name: m.Name, VolumeSource: corev1.VolumeSource{EmptyDir: ed}})
	case v.Type == "bind" && c.opts.HostPath:
		c.warn(path, "bind mount of %s becomes a hostPath volume: the directory of whichever node runs the pod", v.Source)
		m.Name = "bind-" + strconv.Itoa(i)
		pv.add(corev1.Volume{Name: m.Name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: v.Source}}})
	case v.Type == "bind":
		c.warn(path, "bind mount of %s is left out: a cluster's nodes do not have this host's files (put them in a ConfigMap or the image, or convert with --host-path)", v.Source)
		return
	default:
		c.warn(path, "a %s mount has no Kubernetes equivalent; left out", v.Type)
		return
	}
	pv.mount(m)
}

// claimName is the name of the PersistentVolumeClaim of the named volume key: an
// external volume's own name, else the key.
func (c *converter) claimName(key string) string {
	if v, ok := c.p.Volumes[key]; ok && v.External && v.Name != "" {
		return kubeName(v.Name, 63)
	}
	return kubeName(key, 63)
}

// volumeClaims makes a PersistentVolumeClaim for each named volume a service mounts
// (external volumes are claims that must already exist). A volume several pods mount
// asks for ReadWriteMany.
func (c *converter) volumeClaims() {
	users := map[string]int{}
	for _, s := range c.p.Services {
		seen := map[string]bool{}
		for _, v := range s.Volumes {
			if v.Type == "volume" && v.Source != "" && !seen[v.Source] {
				seen[v.Source] = true
				users[v.Source] += podCount(s)
			}
		}
	}
	size := resource.MustParse(c.opts.VolumeSize)
	for _, key := range sortedKeys(users) {
		vol := c.p.Volumes[key]
		if vol.External {
			c.warn("volumes."+key, "external volume: the PersistentVolumeClaim %q must exist in the namespace", c.claimName(key))
			continue
		}
		mode := corev1.ReadWriteOnce
		if users[key] > 1 {
			mode = corev1.ReadWriteMany
			c.warn("volumes."+key, "mounted by %d pods: the claim asks for ReadWriteMany, which the cluster's storage class must offer", users[key])
		}
		c.add(&corev1.PersistentVolumeClaim{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
			ObjectMeta: c.meta(c.claimName(key), validLabels(vol.Labels)),
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{mode},
				Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: size}},
			},
		})
	}
}

// podCount is how many pods of the service mount its volumes: its replicas, or
// several for a DaemonSet (one per node).
func podCount(s compose.ServiceConfig) int {
	switch {
	case s.Deploy != nil && s.Deploy.Mode == "global":
		return 2
	case s.Deploy != nil && s.Deploy.Replicas != nil:
		return *s.Deploy.Replicas
	case s.Scale != nil:
		return *s.Scale
	}
	return 1
}
