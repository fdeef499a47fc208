package compose

import "strings"

// DeployConfig is a service's deploy section. Placement and Resources are always
// present in Compose's model (possibly empty).
type DeployConfig struct {
	Mode           string         `json:"mode,omitempty"`
	Replicas       *int           `json:"replicas,omitempty"`
	Labels         Labels         `json:"labels,omitempty"`
	UpdateConfig   *UpdateConfig  `json:"update_config,omitempty"`
	RollbackConfig *UpdateConfig  `json:"rollback_config,omitempty"`
	Resources      Resources      `json:"resources,omitempty"`
	RestartPolicy  *RestartPolicy `json:"restart_policy,omitempty"`
	Placement      Placement      `json:"placement,omitempty"`
	EndpointMode   string         `json:"endpoint_mode,omitempty"`
}

// UpdateConfig is deploy.update_config or deploy.rollback_config.
type UpdateConfig struct {
	Parallelism     *uint64  `json:"parallelism,omitempty"`
	Delay           Duration `json:"delay,omitempty"`
	FailureAction   string   `json:"failure_action,omitempty"`
	Monitor         Duration `json:"monitor,omitempty"`
	MaxFailureRatio float32  `json:"max_failure_ratio,omitempty"`
	Order           string   `json:"order,omitempty"`
}

// Resources holds deploy.resources limits and reservations.
type Resources struct {
	Limits       *Resource `json:"limits,omitempty"`
	Reservations *Resource `json:"reservations,omitempty"`
}

// Resource is a limit or a reservation: CPUs as a fraction of cores, memory in bytes.
type Resource struct {
	NanoCPUs         NanoCPUs          `json:"cpus,omitempty"`
	MemoryBytes      UnitBytes         `json:"memory,omitempty"`
	Pids             int64             `json:"pids,omitempty"`
	Devices          []DeviceRequest   `json:"devices,omitempty"`
	GenericResources []GenericResource `json:"generic_resources,omitempty"`
}

// DeviceRequest asks for devices (GPUs) by driver, count or IDs. Count -1 means all.
type DeviceRequest struct {
	Capabilities []string    `json:"capabilities,omitempty"`
	Driver       string      `json:"driver,omitempty"`
	Count        DeviceCount `json:"count,omitempty"`
	IDs          []string    `json:"device_ids,omitempty"`
}

// GenericResource is a user-defined resource (swarm only).
type GenericResource struct {
	DiscreteResourceSpec *DiscreteGenericResource `json:"discrete_resource_spec,omitempty"`
}

// DiscreteGenericResource is a counted user-defined resource.
type DiscreteGenericResource struct {
	Kind  string `json:"kind"`
	Value int64  `json:"value"`
}

// RestartPolicy is deploy.restart_policy.
type RestartPolicy struct {
	Condition   string    `json:"condition,omitempty"`
	Delay       *Duration `json:"delay,omitempty"`
	MaxAttempts *uint64   `json:"max_attempts,omitempty"`
	Window      *Duration `json:"window,omitempty"`
}

// Placement is deploy.placement (swarm only).
type Placement struct {
	Constraints []string               `json:"constraints,omitempty"`
	Preferences []PlacementPreferences `json:"preferences,omitempty"`
	MaxReplicas uint64                 `json:"max_replicas_per_node,omitempty"`
}

// PlacementPreferences is one placement preference.
type PlacementPreferences struct {
	Spread string `json:"spread,omitempty"`
}

// ServiceNetworkConfig is a service's attachment to one network. Higher Priority
// networks are connected first; the highest GatewayPriority gives the default route.
type ServiceNetworkConfig struct {
	// Field order is compose-go v2.16's: the config hash marshals this struct.
	Aliases         []string      `json:"aliases,omitempty"`
	DriverOpts      DriverOptions `json:"driver_opts,omitempty"`
	GatewayPriority int           `json:"gw_priority,omitempty"`
	InterfaceName   string        `json:"interface_name,omitempty"`
	Ipv4Address     string        `json:"ipv4_address,omitempty"`
	Ipv6Address     string        `json:"ipv6_address,omitempty"`
	LinkLocalIPs    []string      `json:"link_local_ips,omitempty"`
	MacAddress      string        `json:"mac_address,omitempty"`
	Priority        int           `json:"priority,omitempty"`
}

// ServicePortConfig is one published or exposed port in long form. Published is a
// port or a range ("8000-8010"), empty when the engine picks one.
type ServicePortConfig struct {
	Name        string `json:"name,omitempty"`
	Mode        string `json:"mode,omitempty"`
	HostIP      string `json:"host_ip,omitempty"`
	Target      uint32 `json:"target,omitempty"`
	Published   string `json:"published,omitempty"`
	Protocol    string `json:"protocol,omitempty"`
	AppProtocol string `json:"app_protocol,omitempty"`
}

// ServiceVolumeConfig is one mount in long form. Type is bind, volume, tmpfs, npipe,
// cluster or image; a bind's Source is absolute.
type ServiceVolumeConfig struct {
	Type        string               `json:"type,omitempty"`
	Source      string               `json:"source,omitempty"`
	Target      string               `json:"target,omitempty"`
	ReadOnly    bool                 `json:"read_only,omitempty"`
	Consistency string               `json:"consistency,omitempty"`
	Bind        *ServiceVolumeBind   `json:"bind,omitempty"`
	Volume      *ServiceVolumeVolume `json:"volume,omitempty"`
	Tmpfs       *ServiceVolumeTmpfs  `json:"tmpfs,omitempty"`
	Image       *ServiceVolumeImage  `json:"image,omitempty"`
}

// ServiceVolumeBind holds a bind mount's options.
type ServiceVolumeBind struct {
	SELinux     string `json:"selinux,omitempty"`
	Propagation string `json:"propagation,omitempty"`
	// CreateHostPath is create_host_path; nil is true, as compose-go's opt-out field.
	CreateHostPath *bool `json:"create_host_path,omitempty"`
}

// CreatesHostPath reports whether a missing host path of the bind v is created (as a
// directory) rather than an error: unless bind.create_host_path is false, as Compose.
func (v ServiceVolumeConfig) CreatesHostPath() bool {
	return v.Bind == nil || v.Bind.CreateHostPath == nil || *v.Bind.CreateHostPath
}

// ServiceVolumeVolume holds a named volume mount's options.
type ServiceVolumeVolume struct {
	NoCopy  bool   `json:"nocopy,omitempty"`
	Subpath string `json:"subpath,omitempty"`
}

// ServiceVolumeTmpfs holds a tmpfs mount's options: size in bytes, mode as a number.
type ServiceVolumeTmpfs struct {
	Size UnitBytes `json:"size,omitempty"`
	Mode uint32    `json:"mode,omitempty"`
}

// ServiceVolumeImage holds an image mount's options (type: image).
type ServiceVolumeImage struct {
	Subpath string `json:"subpath,omitempty"`
}

// FileReferenceConfig is a service's use of a secret or config. Mode is a number
// (0444 is 292).
type FileReferenceConfig struct {
	Source string  `json:"source,omitempty"`
	Target string  `json:"target,omitempty"`
	UID    string  `json:"uid,omitempty"`
	GID    string  `json:"gid,omitempty"`
	Mode   *uint32 `json:"mode,omitempty"`
}

// ServiceConfigObjConfig is a service's use of a config.
type ServiceConfigObjConfig FileReferenceConfig

// ServiceSecretConfig is a service's use of a secret.
type ServiceSecretConfig FileReferenceConfig

// UlimitsConfig is one ulimit: Single for a plain number, else Soft and Hard.
type UlimitsConfig struct {
	Single int `json:"single,omitempty"`
	Soft   int `json:"soft,omitempty"`
	Hard   int `json:"hard,omitempty"`
}

// NetworkConfig is a top-level network.
type NetworkConfig struct {
	Name       string        `json:"name,omitempty"`
	Driver     string        `json:"driver,omitempty"`
	DriverOpts DriverOptions `json:"driver_opts,omitempty"`
	Ipam       IPAMConfig    `json:"ipam,omitempty"`
	External   bool          `json:"external,omitempty"`
	Internal   bool          `json:"internal,omitempty"`
	Attachable bool          `json:"attachable,omitempty"`
	Labels     Labels        `json:"labels,omitempty"`
	EnableIPv6 *bool         `json:"enable_ipv6,omitempty"`
	Extensions Extensions    `json:"-"`
}

// IPv6 reports whether the network is dual-stack (enable_ipv6: true).
func (n NetworkConfig) IPv6() bool { return n.EnableIPv6 != nil && *n.EnableIPv6 }

// IPAMConfig is a network's address management.
type IPAMConfig struct {
	Driver string      `json:"driver,omitempty"`
	Config []*IPAMPool `json:"config,omitempty"`
}

// IPAMPool is one subnet of a network.
type IPAMPool struct {
	Subnet             string  `json:"subnet,omitempty"`
	Gateway            string  `json:"gateway,omitempty"`
	IPRange            string  `json:"ip_range,omitempty"`
	AuxiliaryAddresses Mapping `json:"aux_addresses,omitempty"`
}

// VolumeConfig is a top-level volume.
type VolumeConfig struct {
	Name       string        `json:"name,omitempty"`
	Driver     string        `json:"driver,omitempty"`
	DriverOpts DriverOptions `json:"driver_opts,omitempty"`
	External   bool          `json:"external,omitempty"`
	Labels     Labels        `json:"labels,omitempty"`
	Extensions Extensions    `json:"-"`
}

// BindDevice is the host directory a local volume's driver_opts bind (type: none,
// o: bind or rbind, device: PATH), which containers then mount as Docker's local driver
// does; false for any other volume.
func (v VolumeConfig) BindDevice() (string, bool) {
	if v.Driver != "" && v.Driver != "local" {
		return "", false
	}
	if !v.bindsHostDir() {
		return "", false
	}
	return v.DriverOpts["device"], true
}

// bindsHostDir reports whether the driver_opts declare a bind of a host directory,
// whatever the driver.
func (v VolumeConfig) bindsHostDir() bool {
	if v.DriverOpts["type"] != "none" || v.DriverOpts["device"] == "" {
		return false
	}
	for _, o := range strings.Split(v.DriverOpts["o"], ",") {
		if o == "bind" || o == "rbind" {
			return true
		}
	}
	return false
}

// FileObjectConfig is a top-level secret or config: from a file (absolute path), an
// environment variable, inline content, or external.
type FileObjectConfig struct {
	Name           string            `json:"name,omitempty"`
	File           string            `json:"file,omitempty"`
	Environment    string            `json:"environment,omitempty"`
	Content        string            `json:"content,omitempty"`
	External       bool              `json:"external,omitempty"`
	Labels         Labels            `json:"labels,omitempty"`
	Driver         string            `json:"driver,omitempty"`
	DriverOpts     map[string]string `json:"driver_opts,omitempty"`
	TemplateDriver string            `json:"template_driver,omitempty"`
	Extensions     Extensions        `json:"-"`
}

// SecretConfig is a top-level secret.
type SecretConfig FileObjectConfig

// ConfigObjConfig is a top-level config.
type ConfigObjConfig FileObjectConfig
