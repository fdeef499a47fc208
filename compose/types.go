package compose

// The typed model. Its structs mirror compose-go v2's types (the library Docker Compose
// builds its model with): the same field names, JSON tags and, importantly, the field
// order Docker Compose v5.6.0 pins for its config hash (the historical top-level order,
// nested structs in compose-go v2.16's), so that json.Marshal of a ServiceConfig gives
// the bytes Compose hashes (see ServiceHash). Keys berth parses that compose-go v2.2.0 does not know
// (gpus, post_start, pre_stop, label_file, volume type image) have fields of their own
// with omitempty, so they change nothing for services that do not use them.
//
// The typed model is a view decoded from Project.Model after loading; Model stays the
// source of `berth config` output.

// ServiceConfig is one service, normalized: short syntaxes are in their long form,
// sizes are in bytes, durations are Durations, relative paths are absolute.
// Name is the service's key in Project.Services (not in JSON). Extensions holds the
// service's x- keys (not in JSON either, as in compose-go).
type ServiceConfig struct {
	Name     string   `json:"-"`
	Profiles []string `json:"profiles,omitempty"`

	Annotations  Mapping        `json:"annotations,omitempty"`
	Attach       *bool          `json:"attach,omitempty"`
	Build        *BuildConfig   `json:"build,omitempty"`
	Develop      *DevelopConfig `json:"develop,omitempty"`
	BlkioConfig  *BlkioConfig   `json:"blkio_config,omitempty"`
	CapAdd       []string       `json:"cap_add,omitempty"`
	CapDrop      []string       `json:"cap_drop,omitempty"`
	CgroupParent string         `json:"cgroup_parent,omitempty"`
	Cgroup       string         `json:"cgroup,omitempty"`
	CPUCount     int64          `json:"cpu_count,omitempty"`
	CPUPercent   float32        `json:"cpu_percent,omitempty"`
	CPUPeriod    int64          `json:"cpu_period,omitempty"`
	CPUQuota     int64          `json:"cpu_quota,omitempty"`
	CPURTPeriod  int64          `json:"cpu_rt_period,omitempty"`
	CPURTRuntime int64          `json:"cpu_rt_runtime,omitempty"`
	CPUS         float32        `json:"cpus,omitempty"`
	CPUSet       string         `json:"cpuset,omitempty"`
	CPUShares    int64          `json:"cpu_shares,omitempty"`

	// Command overrides the image's CMD; nil keeps it, empty clears it. Never omitted
	// from JSON, as in compose-go.
	Command ShellCommand `json:"command"`

	Configs           []ServiceConfigObjConfig `json:"configs,omitempty"`
	ContainerName     string                   `json:"container_name,omitempty"`
	CredentialSpec    *CredentialSpecConfig    `json:"credential_spec,omitempty"`
	DependsOn         DependsOnConfig          `json:"depends_on,omitempty"`
	Deploy            *DeployConfig            `json:"deploy,omitempty"`
	DeviceCgroupRules []string                 `json:"device_cgroup_rules,omitempty"`
	Devices           []DeviceMapping          `json:"devices,omitempty"`
	DNS               StringList               `json:"dns,omitempty"`
	DNSOpts           []string                 `json:"dns_opt,omitempty"`
	DNSSearch         StringList               `json:"dns_search,omitempty"`
	Dockerfile        string                   `json:"dockerfile,omitempty"`
	DomainName        string                   `json:"domainname,omitempty"`

	// Entrypoint overrides the image's ENTRYPOINT, like Command.
	Entrypoint ShellCommand `json:"entrypoint"`

	Environment    MappingWithEquals  `json:"environment,omitempty"`
	EnvFiles       []EnvFile          `json:"env_file,omitempty"`
	Expose         StringOrNumberList `json:"expose,omitempty"`
	Extends        *ExtendsConfig     `json:"extends,omitempty"`
	ExternalLinks  []string           `json:"external_links,omitempty"`
	ExtraHosts     HostsList          `json:"extra_hosts,omitempty"`
	GroupAdd       []string           `json:"group_add,omitempty"`
	Gpus           []DeviceRequest    `json:"gpus,omitempty"`
	Hostname       string             `json:"hostname,omitempty"`
	HealthCheck    *HealthCheckConfig `json:"healthcheck,omitempty"`
	Image          string             `json:"image,omitempty"`
	Init           *bool              `json:"init,omitempty"`
	Ipc            string             `json:"ipc,omitempty"`
	Isolation      string             `json:"isolation,omitempty"`
	Labels         Labels             `json:"labels,omitempty"`
	LabelFiles     []string           `json:"label_file,omitempty"`
	Links          []string           `json:"links,omitempty"`
	Logging        *LoggingConfig     `json:"logging,omitempty"`
	LogDriver      string             `json:"log_driver,omitempty"`
	LogOpt         map[string]string  `json:"log_opt,omitempty"`
	MemLimit       UnitBytes          `json:"mem_limit,omitempty"`
	MemReservation UnitBytes          `json:"mem_reservation,omitempty"`
	MemSwapLimit   UnitBytes          `json:"memswap_limit,omitempty"`
	MemSwappiness  UnitBytes          `json:"mem_swappiness,omitempty"`
	MacAddress     string             `json:"mac_address,omitempty"`
	Net            string             `json:"net,omitempty"`
	NetworkMode    string             `json:"network_mode,omitempty"`
	// Networks maps network names to the attachment; a nil value attaches with
	// defaults.
	Networks        map[string]*ServiceNetworkConfig `json:"networks,omitempty"`
	OomKillDisable  bool                             `json:"oom_kill_disable,omitempty"`
	OomScoreAdj     int64                            `json:"oom_score_adj,omitempty"`
	Pid             string                           `json:"pid,omitempty"`
	PidsLimit       int64                            `json:"pids_limit,omitempty"`
	Platform        string                           `json:"platform,omitempty"`
	Ports           []ServicePortConfig              `json:"ports,omitempty"`
	Privileged      bool                             `json:"privileged,omitempty"`
	PullPolicy      string                           `json:"pull_policy,omitempty"`
	ReadOnly        bool                             `json:"read_only,omitempty"`
	Restart         string                           `json:"restart,omitempty"`
	Runtime         string                           `json:"runtime,omitempty"`
	Scale           *int                             `json:"scale,omitempty"`
	Secrets         []ServiceSecretConfig            `json:"secrets,omitempty"`
	SecurityOpt     []string                         `json:"security_opt,omitempty"`
	ShmSize         UnitBytes                        `json:"shm_size,omitempty"`
	StdinOpen       bool                             `json:"stdin_open,omitempty"`
	StopGracePeriod *Duration                        `json:"stop_grace_period,omitempty"`
	StopSignal      string                           `json:"stop_signal,omitempty"`
	StorageOpt      map[string]string                `json:"storage_opt,omitempty"`
	Sysctls         Mapping                          `json:"sysctls,omitempty"`
	Tmpfs           StringList                       `json:"tmpfs,omitempty"`
	Tty             bool                             `json:"tty,omitempty"`
	Ulimits         map[string]*UlimitsConfig        `json:"ulimits,omitempty"`
	User            string                           `json:"user,omitempty"`
	UserNSMode      string                           `json:"userns_mode,omitempty"`
	Uts             string                           `json:"uts,omitempty"`
	VolumeDriver    string                           `json:"volume_driver,omitempty"`
	Volumes         []ServiceVolumeConfig            `json:"volumes,omitempty"`
	VolumesFrom     []string                         `json:"volumes_from,omitempty"`
	WorkingDir      string                           `json:"working_dir,omitempty"`
	// The hooks come last, as Compose pins them in its config hash.
	PreStart  []PreStartHook `json:"pre_start,omitempty"`
	PostStart []ServiceHook  `json:"post_start,omitempty"`
	PreStop   []ServiceHook  `json:"pre_stop,omitempty"`

	Extensions Extensions `json:"-"`
}

// Extensions holds x- keys and their values.
type Extensions map[string]any

// BuildConfig is a service's build section; Context is absolute (or a URL).
type BuildConfig struct {
	Context            string                    `json:"context,omitempty"`
	Dockerfile         string                    `json:"dockerfile,omitempty"`
	DockerfileInline   string                    `json:"dockerfile_inline,omitempty"`
	Entitlements       []string                  `json:"entitlements,omitempty"`
	Args               MappingWithEquals         `json:"args,omitempty"`
	SSH                SSHConfig                 `json:"ssh,omitempty"`
	Labels             Labels                    `json:"labels,omitempty"`
	CacheFrom          StringList                `json:"cache_from,omitempty"`
	CacheTo            StringList                `json:"cache_to,omitempty"`
	NoCache            bool                      `json:"no_cache,omitempty"`
	AdditionalContexts Mapping                   `json:"additional_contexts,omitempty"`
	Pull               bool                      `json:"pull,omitempty"`
	ExtraHosts         HostsList                 `json:"extra_hosts,omitempty"`
	Isolation          string                    `json:"isolation,omitempty"`
	Network            string                    `json:"network,omitempty"`
	Target             string                    `json:"target,omitempty"`
	Secrets            []ServiceSecretConfig     `json:"secrets,omitempty"`
	ShmSize            UnitBytes                 `json:"shm_size,omitempty"`
	Tags               StringList                `json:"tags,omitempty"`
	Ulimits            map[string]*UlimitsConfig `json:"ulimits,omitempty"`
	Platforms          StringList                `json:"platforms,omitempty"`
	Privileged         bool                      `json:"privileged,omitempty"`

	Extensions Extensions `json:"-"`
}

// BlkioConfig is a service's block IO weights and throttles.
type BlkioConfig struct {
	Weight          uint16           `json:"weight,omitempty"`
	WeightDevice    []WeightDevice   `json:"weight_device,omitempty"`
	DeviceReadBps   []ThrottleDevice `json:"device_read_bps,omitempty"`
	DeviceReadIOps  []ThrottleDevice `json:"device_read_iops,omitempty"`
	DeviceWriteBps  []ThrottleDevice `json:"device_write_bps,omitempty"`
	DeviceWriteIOps []ThrottleDevice `json:"device_write_iops,omitempty"`
}

// WeightDevice is a device path and its blkio weight.
type WeightDevice struct {
	Path   string
	Weight uint16
}

// ThrottleDevice is a device path and a rate per second.
type ThrottleDevice struct {
	Path string
	Rate UnitBytes
}

// DeviceMapping is a host device made available in the container.
type DeviceMapping struct {
	Source      string `json:"source,omitempty"`
	Target      string `json:"target,omitempty"`
	Permissions string `json:"permissions,omitempty"`
}

// LoggingConfig is a service's log driver and its options.
type LoggingConfig struct {
	Driver  string        `json:"driver,omitempty"`
	Options DriverOptions `json:"options,omitempty"`
}

// HealthCheckConfig is a service's health check. Test is in its list form
// (["CMD", ...], ["CMD-SHELL", cmd] or ["NONE"]); unset durations are nil.
type HealthCheckConfig struct {
	Test          HealthCheckTest `json:"test,omitempty"`
	Timeout       *Duration       `json:"timeout,omitempty"`
	Interval      *Duration       `json:"interval,omitempty"`
	Retries       *uint64         `json:"retries,omitempty"`
	StartPeriod   *Duration       `json:"start_period,omitempty"`
	StartInterval *Duration       `json:"start_interval,omitempty"`
	Disable       bool            `json:"disable,omitempty"`
}

// HealthCheckTest is the health check command in its list form.
type HealthCheckTest []string

// DevelopConfig is a service's develop section (compose watch).
type DevelopConfig struct {
	Watch []Trigger `json:"watch,omitempty"`
}

// Trigger is one develop.watch rule; Path is absolute. Action is one of the
// WatchAction constants; Exec is the command of a sync+exec rule.
type Trigger struct {
	Path        string      `json:"path"`
	Action      string      `json:"action"`
	Target      string      `json:"target,omitempty"`
	Exec        ServiceHook `json:"exec,omitempty"`
	Include     []string    `json:"include,omitempty"`
	Ignore      []string    `json:"ignore,omitempty"`
	InitialSync bool        `json:"initial_sync,omitempty"`
}

// The develop.watch actions.
const (
	WatchActionSync        = "sync"
	WatchActionRebuild     = "rebuild"
	WatchActionRestart     = "restart"
	WatchActionSyncRestart = "sync+restart"
	WatchActionSyncExec    = "sync+exec"
)

// PreStartHook is a pre_start hook: a container of its own, run to completion before
// the service's container starts. The loader completes it with the service's container
// attributes (not its volumes: the runner borrows the service container's), so its
// ServiceConfig holds only ContainerSpec keys (no ports, healthcheck, deploy, ...).
// Its JSON is compose-go's PreStartHook: the ContainerSpec's keys, then per_replica.
type PreStartHook struct {
	ServiceConfig
	PerReplica bool `json:"per_replica,omitempty"`
}

// ServiceHook is a post_start or pre_stop command run in the container.
type ServiceHook struct {
	Command     ShellCommand      `json:"command,omitempty"`
	User        string            `json:"user,omitempty"`
	Privileged  bool              `json:"privileged,omitempty"`
	WorkingDir  string            `json:"working_dir,omitempty"`
	Environment MappingWithEquals `json:"environment,omitempty"`
}

// ExtendsConfig names the service a service extends.
type ExtendsConfig struct {
	File    string `json:"file,omitempty"`
	Service string `json:"service,omitempty"`
}

// CredentialSpecConfig is a Windows credential spec (parsed, never used on Linux).
type CredentialSpecConfig struct {
	Config   string `json:"config,omitempty"`
	File     string `json:"file,omitempty"`
	Registry string `json:"registry,omitempty"`
}

// DependsOnConfig maps a dependency's name to how to wait for it.
type DependsOnConfig map[string]ServiceDependency

// ServiceDependency is one depends_on entry. Condition is one of service_started,
// service_healthy, service_completed_successfully.
type ServiceDependency struct {
	Condition string `json:"condition,omitempty"`
	Restart   bool   `json:"restart,omitempty"`
	Required  bool   `json:"required"`
}

// Depends-on conditions.
const (
	ServiceConditionStarted               = "service_started"
	ServiceConditionHealthy               = "service_healthy"
	ServiceConditionCompletedSuccessfully = "service_completed_successfully"
)
