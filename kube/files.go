package kube

import (
	"fmt"
	"os"
	"path"
	"strconv"
	"unicode/utf8"

	"github.com/berth-dev/berth/compose"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// fileKey is the one key of a Secret or ConfigMap made from a compose secret or config.
const fileKey = "content"

// files makes a Secret for each secret and a ConfigMap for each config a service uses,
// from its file, environment variable or inline content. External ones must exist in
// the namespace.
func (c *converter) files() error {
	used := map[string]map[string]bool{"secrets": {}, "configs": {}}
	for _, s := range c.p.Services {
		for _, r := range s.Secrets {
			used["secrets"][r.Source] = true
		}
		for _, r := range s.Configs {
			used["configs"][r.Source] = true
		}
	}
	for _, key := range sortedKeys(used["secrets"]) {
		if err := c.file("secrets", key, compose.FileObjectConfig(c.p.Secrets[key])); err != nil {
			return err
		}
	}
	for _, key := range sortedKeys(used["configs"]) {
		if err := c.file("configs", key, compose.FileObjectConfig(c.p.Configs[key])); err != nil {
			return err
		}
	}
	return nil
}

func (c *converter) file(kind, key string, obj compose.FileObjectConfig) error {
	path := kind + "." + key
	if obj.External {
		c.warn(path, "external: the %s %q must exist in the namespace, its file under the key %q", objKind(kind), fileObjectName(kind, key, obj), fileKey)
		return nil
	}
	var data []byte
	switch {
	case obj.File != "":
		b, err := os.ReadFile(obj.File)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", c.p.PositionOf(path+".file"), path, err)
		}
		data = b
	case obj.Environment != "":
		v, ok := c.p.Env[obj.Environment]
		if !ok {
			c.warn(path+".environment", "variable %s is not set: the %s is empty", obj.Environment, objKind(kind))
		}
		data = []byte(v)
	default:
		data = []byte(obj.Content)
	}
	meta := c.meta(fileObjectName(kind, key, obj), validLabels(obj.Labels))
	if kind == "secrets" {
		c.add(&corev1.Secret{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: meta,
			Type: corev1.SecretTypeOpaque, Data: map[string][]byte{fileKey: data}})
		return nil
	}
	cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: meta}
	if utf8.Valid(data) {
		cm.Data = map[string]string{fileKey: string(data)}
	} else {
		cm.BinaryData = map[string][]byte{fileKey: data}
	}
	c.add(cm)
	return nil
}

func objKind(kind string) string {
	if kind == "secrets" {
		return "Secret"
	}
	return "ConfigMap"
}

// fileObjectName is the name of the Secret or ConfigMap of a compose secret or config:
// an external one's own name, else the key ("config-" before a config's, so it cannot
// meet a service's <name>-env).
func fileObjectName(kind, key string, obj compose.FileObjectConfig) string {
	if obj.External && obj.Name != "" {
		return kubeName(obj.Name, 63)
	}
	if kind == "configs" {
		return kubeName("config-"+key, 63)
	}
	return kubeName(key, 63)
}

// fileMounts mounts the service's secrets at /run/secrets/<target> and its configs at
// their target (default /<name>), each as the one file of its volume.
func (c *converter) fileMounts(s compose.ServiceConfig, pv *podVolumes) {
	for i, r := range s.Secrets {
		target := r.Target
		if target == "" {
			target = r.Source
		}
		if !path.IsAbs(target) {
			target = "/run/secrets/" + target
		}
		c.fileMount(s, "secrets", i, compose.FileReferenceConfig(r), target, compose.FileObjectConfig(c.p.Secrets[r.Source]), pv)
	}
	for i, r := range s.Configs {
		target := r.Target
		if target == "" {
			target = "/" + r.Source
		}
		c.fileMount(s, "configs", i, compose.FileReferenceConfig(r), target, compose.FileObjectConfig(c.p.Configs[r.Source]), pv)
	}
}

func (c *converter) fileMount(s compose.ServiceConfig, kind string, i int, r compose.FileReferenceConfig, target string, obj compose.FileObjectConfig, pv *podVolumes) {
	if r.UID != "" || r.GID != "" {
		c.warn("services."+s.Name+"."+kind+"["+strconv.Itoa(i)+"]", "uid and gid of a mounted file are the pod's fsGroup in Kubernetes; left out")
	}
	name := kubeName(kind[:len(kind)-1]+"-"+r.Source, 63)
	item := corev1.KeyToPath{Key: fileKey, Path: fileKey}
	if r.Mode != nil {
		mode := int32(*r.Mode)
		item.Mode = &mode
	}
	obj.Name = fileObjectName(kind, r.Source, obj)
	src := corev1.VolumeSource{}
	if kind == "secrets" {
		src.Secret = &corev1.SecretVolumeSource{SecretName: obj.Name, Items: []corev1.KeyToPath{item}}
	} else {
		src.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: obj.Name}, Items: []corev1.KeyToPath{item}}
	}
	pv.add(corev1.Volume{Name: name, VolumeSource: src})
	pv.mount(corev1.VolumeMount{Name: name, MountPath: target, SubPath: fileKey, ReadOnly: true})
}

// validLabels keeps the entries that are valid Kubernetes labels.
func validLabels(l compose.Labels) map[string]string {
	out := map[string]string{}
	for k, v := range l {
		if len(validation.IsQualifiedName(k)) == 0 && len(validation.IsValidLabelValue(v)) == 0 {
			out[k] = v
		}
	}
	return out
}
