package state

import (
	"fmt"
	"sort"
	"time"
)

// Compose's labels, written on every container so that scripts and recreation decisions
// work as with Docker Compose.
const (
	LabelProject     = "com.docker.compose.project"
	LabelService     = "com.docker.compose.service"
	LabelNumber      = "com.docker.compose.container-number"
	LabelConfigHash  = "com.docker.compose.config-hash"
	LabelOneoff      = "com.docker.compose.oneoff"
	LabelWorkingDir  = "com.docker.compose.project.working_dir"
	LabelConfigFiles = "com.docker.compose.project.config_files"
	// LabelImage is the ID of the image the container was created from: a container
	// whose service's image ID changed (rebuilt, pulled anew) is recreated.
	LabelImage = "com.docker.compose.image"
)

// State is what berth records about one project, in projects/<name>/state.json. Every
// kernel object is recorded before it is made, so Down can remove it after any crash.
type State struct {
	Name        string   `json:"name"`
	WorkingDir  string   `json:"workingDir"`
	ConfigFiles []string `json:"configFiles,omitempty"`
	// Networks maps the compose network name to the created one (<project>_<net>).
	Networks map[string]NetworkState `json:"networks,omitempty"`
	// Volumes maps the compose volume name to its full name (<project>_<vol>).
	Volumes    map[string]string `json:"volumes,omitempty"`
	Containers []*ContainerState `json:"containers,omitempty"`
	// Levels is the start order of the services of the last up; Down stops in reverse.
	Levels [][]string `json:"levels,omitempty"`
	// HandedOver are the IDs of anonymous volumes on their way from a recreated
	// container to its replacement: recorded here before the old container is removed
	// and dropped when the new one records them, so Down finds them after a crash.
	HandedOver []string `json:"handedOver,omitempty"`
}

// NetworkState is one network of the project.
type NetworkState struct {
	Name     string `json:"name"`
	Gateway  string `json:"gateway,omitempty"`
	Internal bool   `json:"internal,omitempty"`
	External bool   `json:"external,omitempty"`
}

// ContainerState is one container of the project.
type ContainerState struct {
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Service string            `json:"service"`
	Number  int               `json:"number"`
	Image   string            `json:"image"`
	Command []string          `json:"command,omitempty"`
	Labels  map[string]string `json:"labels"`
	NetNS   string            `json:"netns,omitempty"`
	// Addresses maps full network names to the container's address on it.
	Addresses map[string]string `json:"addresses,omitempty"`
	// NetAliases maps full network names to the container's aliases on that network
	// (networks.X.aliases; run --use-aliases): a name on that network only.
	NetAliases map[string][]string `json:"netAliases,omitempty"`
	// Aliases are the aliases of every network, as berth recorded them before
	// NetAliases: read from older state only, as aliases on each of its networks.
	Aliases []string `json:"aliases,omitempty"`
	// Links map names only this container resolves (links, external_links) to the
	// name of the container they stand for, on each network both are on.
	Links map[string]string `json:"links,omitempty"`
	// Addresses6 maps full network names to the container's IPv6 address on the
	// dual-stack ones.
	Addresses6 map[string]string `json:"addresses6,omitempty"`
	Hostname   string            `json:"hostname,omitempty"`
	// DNS are the service's dns: servers (IP addresses): the embedded DNS forwards the
	// names it does not know, asked by this container, to them instead of the host's.
	DNS   []string    `json:"dns,omitempty"`
	Ports []PortState `json:"ports,omitempty"`
	// Exposed are the container ports the image (EXPOSE) or the service (expose:) declare,
	// published or not: ps shows the unpublished ones as Docker does ("80/tcp").
	Exposed []PortState `json:"exposed,omitempty"`
	Health  *HealthSpec `json:"health,omitempty"`
	// StopSignal and StopGrace are stop_signal and stop_grace_period (0: SIGTERM, 10 s).
	StopSignal int           `json:"stopSignal,omitempty"`
	StopGrace  time.Duration `json:"stopGrace,omitempty"`
	Created    int64         `json:"created"`
	// Restart is the restart policy the supervisor applies (nil: never restarts).
	Restart *RestartPolicy `json:"restart,omitempty"`
	// StoppedByUser is set by stop, kill, down, rm and recreation before they act and
	// cleared when a command starts the container: the supervisor never restarts it
	// while set (see project/restart.go).
	StoppedByUser bool `json:"stoppedByUser,omitempty"`
	// AnonymousVolumes maps a path in the container to the ID of the anonymous volume
	// mounted there (its directory is Config.VolumeDir(ID)); see anonvolume.go.
	AnonymousVolumes map[string]string `json:"anonymousVolumes,omitempty"`
	// Joins maps a service X this container shares a namespace with (network_mode,
	// ipc, pid: service:X) or the volumes of (volumes_from) to the ID of X's container it joined: when X gets a new container,
	// this one is recreated to join it, as Compose does.
	Joins map[string]string `json:"joins,omitempty"`
}

// PortState is a published port, as `ps` prints it.
type PortState struct {
	HostIP        string `json:"hostIP,omitempty"`
	HostPort      uint16 `json:"hostPort"`
	ContainerPort uint16 `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

// AliasesOn returns the container's aliases on the network of that full name.
func (c *ContainerState) AliasesOn(network string) []string {
	if c.NetAliases == nil {
		return c.Aliases
	}
	return c.NetAliases[network]
}

// ConfigHash returns the container's config-hash label.
func (c *ContainerState) ConfigHash() string { return c.Labels[LabelConfigHash] }

// Container returns the replica number of service, or nil.
func (st *State) Container(service string, number int) *ContainerState {
	for _, c := range st.Containers {
		if c.Service == service && c.Number == number {
			return c
		}
	}
	return nil
}

// ServiceContainers returns the service's containers (not one-off `run` containers),
// by number.
func (st *State) ServiceContainers(service string) []*ContainerState {
	var out []*ContainerState
	for _, c := range st.Containers {
		if c.Service == service && !c.Oneoff() {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// ContainerByID returns the container with this ID, or nil.
func (st *State) ContainerByID(id string) *ContainerState {
	for _, c := range st.Containers {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// RemoveContainer forgets the container with this ID.
func (st *State) RemoveContainer(id string) {
	out := st.Containers[:0]
	for _, c := range st.Containers {
		if c.ID != id {
			out = append(out, c)
		}
	}
	st.Containers = out
}

// Oneoff reports whether the container was made by `run`.
func (c *ContainerState) Oneoff() bool { return c.Labels[LabelOneoff] == "True" }

// HealthSpec is a container's healthcheck as the supervisor runs it.
type HealthSpec struct {
	// Test is the command: ["CMD", args...] or ["CMD-SHELL", script].
	Test        []string      `json:"test"`
	Interval    time.Duration `json:"interval"`
	Timeout     time.Duration `json:"timeout"`
	StartPeriod time.Duration `json:"startPeriod,omitempty"`
	// StartInterval, when set, is the time between probes while the container is
	// still starting within its start period (start_interval).
	StartInterval time.Duration `json:"startInterval,omitempty"`
	Retries       int           `json:"retries"`
}

// Health statuses, as Docker reports them.
const (
	HealthStarting  = "starting"
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
)

// Argv is the command the healthcheck execs in the container.
func (h *HealthSpec) Argv() []string {
	switch h.Test[0] {
	case "CMD":
		return h.Test[1:]
	case "CMD-SHELL":
		return []string{"/bin/sh", "-c", h.Test[1]}
	}
	return h.Test
}

// The restart policies, as Docker names them.
const (
	RestartNo            = "no"
	RestartAlways        = "always"
	RestartOnFailure     = "on-failure"
	RestartUnlessStopped = "unless-stopped"
)

// RestartPolicy is a container's restart policy, as Docker's HostConfig.RestartPolicy.
type RestartPolicy struct {
	// Name is RestartNo, RestartAlways, RestartOnFailure or RestartUnlessStopped.
	Name string `json:"name"`
	// MaxRetries bounds the restarts of RestartOnFailure; 0 is unlimited.
	MaxRetries int `json:"maxRetries,omitempty"`
}

// Restarts reports whether the policy ever restarts a container; nil (a container
// recorded before policies, or a one-off) never does.
func (p *RestartPolicy) Restarts() bool {
	return p != nil && p.Name != RestartNo && p.Name != ""
}

// ShouldRestart reports whether a container that exited with code, after count restarts
// under this policy, starts again. One a user stopped never does.
func (p *RestartPolicy) ShouldRestart(code, count int, stoppedByUser bool) bool {
	if stoppedByUser || p == nil {
		return false
	}
	switch p.Name {
	case RestartAlways, RestartUnlessStopped:
		return true
	case RestartOnFailure:
		return code != 0 && (p.MaxRetries == 0 || count < p.MaxRetries)
	}
	return false
}

// Describe is a one-line summary of a container for messages: "NAME (service S)".
func Describe(c *ContainerState) string { return fmt.Sprintf("%s (service %s)", c.Name, c.Service) }
