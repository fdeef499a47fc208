package kube

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/berth-dev/berth/compose"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// ErrInvalid is wrapped by errors about options or about a project that cannot be
// expressed as manifests at all (two services whose names map to one Kubernetes name).
var ErrInvalid = errors.New("cannot convert")

// Options say how to convert.
type Options struct {
	// Namespace is written into every object; empty leaves it out (kubectl's current
	// namespace applies).
	Namespace string
	// PublishedType is the type of the Services of published ports: ClusterIP (the
	// default), NodePort or LoadBalancer.
	PublishedType corev1.ServiceType
	// HostPath turns bind mounts into hostPath volumes (the node's directory, which
	// on a cluster is seldom what the compose file meant); without it they are left out.
	HostPath bool
	// VolumeSize is the storage request of each PersistentVolumeClaim; default 1Gi.
	VolumeSize string
	// WaitImage runs the init containers that wait for a healthy dependency (sh and
	// nslookup); default busybox:1.36.
	WaitImage string
	// KubectlImage runs the init containers that wait for a Job; default
	// registry.k8s.io/kubectl:v1.37.2.
	KubectlImage string
}

// Result is the manifests of a project and what could not be carried over.
type Result struct {
	// Objects are typed API objects (apps/v1, batch/v1, core/v1, networking/v1,
	// rbac/v1) with their TypeMeta set, sorted by kind (in the order kubectl would
	// apply them) and name.
	Objects []runtime.Object
	// Warnings name each compose key without a Kubernetes meaning, and each change of
	// behaviour, at its place in the compose files, sorted by position.
	Warnings []compose.Warning
}

// Defaults of Options.
const (
	DefaultVolumeSize   = "1Gi"
	DefaultWaitImage    = "busybox:1.36"
	DefaultKubectlImage = "registry.k8s.io/kubectl:v1.37.2"
)

// converter holds one conversion's state.
type converter struct {
	p     *compose.Project
	opts  Options
	names map[string]string // compose service -> Kubernetes name
	jobs  map[string]bool   // services another one waits to complete
	// aliasOwner maps a network alias's Service name to the service that holds it.
	aliasOwner map[string]string
	objs       []runtime.Object
	warns      []compose.Warning
}

// Convert builds the manifests of p. It reads secret and config files named by the
// project (their content becomes Secrets and ConfigMaps) and nothing else.
func Convert(p *compose.Project, opts Options) (*Result, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	c := &converter{p: p, opts: opts, aliasOwner: map[string]string{}}
	if c.names, err = serviceNames(p); err != nil {
		return nil, err
	}
	for _, s := range p.ServiceNames() {
		if c.names[s] != s {
			c.warn("services."+s, "the Kubernetes name of %q is %q (a DNS label): other services reach it by that name", s, c.names[s])
		}
	}
	c.jobs = completionWaits(p)
	c.warnKeys()
	if err := c.files(); err != nil {
		return nil, err
	}
	c.volumeClaims()
	c.networkPolicies()
	for _, name := range p.ServiceNames() {
		if err := c.service(p.Services[name]); err != nil {
			return nil, err
		}
	}
	c.waitAccess()
	sortObjects(c.objs)
	compose.SortWarnings(c.warns)
	return &Result{Objects: c.objs, Warnings: c.warns}, nil
}

func withDefaults(opts Options) (Options, error) {
	switch strings.ToLower(string(opts.PublishedType)) {
	case "", "clusterip":
		opts.PublishedType = corev1.ServiceTypeClusterIP
	case "nodeport":
		opts.PublishedType = corev1.ServiceTypeNodePort
	case "loadbalancer":
		opts.PublishedType = corev1.ServiceTypeLoadBalancer
	default:
		return opts, fmt.Errorf("published service type %q: want ClusterIP, NodePort or LoadBalancer: %w", opts.PublishedType, ErrInvalid)
	}
	if opts.Namespace != "" && !isDNSLabel(opts.Namespace) {
		return opts, fmt.Errorf("namespace %q: want a DNS label (lower case letters, digits and '-'): %w", opts.Namespace, ErrInvalid)
	}
	if opts.VolumeSize == "" {
		opts.VolumeSize = DefaultVolumeSize
	}
	if _, err := resource.ParseQuantity(opts.VolumeSize); err != nil {
		return opts, fmt.Errorf("volume size %q: want a quantity like 1Gi: %w", opts.VolumeSize, ErrInvalid)
	}
	if opts.WaitImage == "" {
		opts.WaitImage = DefaultWaitImage
	}
	if opts.KubectlImage == "" {
		opts.KubectlImage = DefaultKubectlImage
	}
	return opts, nil
}

// warn records a warning at the place of path in the compose files.
func (c *converter) warn(path, format string, args ...any) {
	c.warns = append(c.warns, compose.Warning{Pos: c.p.PositionOf(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// add appends an object.
func (c *converter) add(o runtime.Object) { c.objs = append(c.objs, o) }

// meta is the ObjectMeta of an object named name, with the project's labels.
func (c *converter) meta(name string, labels map[string]string) metav1.ObjectMeta {
	l := map[string]string{partOfLabel: c.project(), managedByLabel: "berth"}
	for k, v := range labels {
		l[k] = v
	}
	return metav1.ObjectMeta{Name: name, Namespace: c.opts.Namespace, Labels: l}
}

// Labels every object and pod carries.
const (
	nameLabel      = "app.kubernetes.io/name"
	partOfLabel    = "app.kubernetes.io/part-of"
	managedByLabel = "app.kubernetes.io/managed-by"
)

// selector is the pod selector of a service's pods.
func (c *converter) selector(service string) map[string]string {
	return map[string]string{nameLabel: c.names[service], partOfLabel: c.project()}
}

// project is the project's name as a label value.
func (c *converter) project() string { return kubeName(c.p.Name, 63) }

// kindOrder is the order of kinds in the output: what others refer to comes first.
var kindOrder = []string{"ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Secret",
	"PersistentVolumeClaim", "Service", "NetworkPolicy", "Deployment", "StatefulSet", "DaemonSet", "Job"}

func kindRank(kind string) int {
	for i, k := range kindOrder {
		if k == kind {
			return i
		}
	}
	return len(kindOrder)
}

func sortObjects(objs []runtime.Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		ki, kj := objs[i].GetObjectKind().GroupVersionKind().Kind, objs[j].GetObjectKind().GroupVersionKind().Kind
		if ki != kj {
			return kindRank(ki) < kindRank(kj)
		}
		return objectName(objs[i]) < objectName(objs[j])
	})
}

// objectName is the metadata.name of a typed object.
func objectName(o runtime.Object) string {
	if m, ok := o.(metav1.Object); ok {
		return m.GetName()
	}
	return ""
}
