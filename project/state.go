package project

import (
	"github.com/berth-dev/berth/project/internal/state"
)

// The records of a project's state and their errors live in internal/state; these are
// their names in the package's API.
type (
	// State is what berth records about one project, in projects/<name>/state.json.
	State = state.State
	// NetworkState is one network of the project.
	NetworkState = state.NetworkState
	// ContainerState is one container of the project.
	ContainerState = state.ContainerState
	// PortState is a published port, as `ps` prints it.
	PortState = state.PortState
	// HealthSpec is a container's healthcheck as the supervisor runs it.
	HealthSpec = state.HealthSpec
	// RestartPolicy is a container's restart policy, as Docker's HostConfig.RestartPolicy.
	RestartPolicy = state.RestartPolicy
)

// Sentinel errors, tested with errors.Is.
var (
	// ErrNotFound: no such project, service or container.
	ErrNotFound = state.ErrNotFound
	// ErrExists: a name or host port is already taken.
	ErrExists = state.ErrExists
	// ErrInvalid: the request or the project cannot be run as asked.
	ErrInvalid = state.ErrInvalid
)

// Compose's labels, written on every container so that scripts and recreation decisions
// work as with Docker Compose.
const (
	LabelProject     = state.LabelProject
	LabelService     = state.LabelService
	LabelNumber      = state.LabelNumber
	LabelConfigHash  = state.LabelConfigHash
	LabelOneoff      = state.LabelOneoff
	LabelWorkingDir  = state.LabelWorkingDir
	LabelConfigFiles = state.LabelConfigFiles
	// LabelImage is the ID of the image the container was created from.
	LabelImage = state.LabelImage
)

// Health statuses, as Docker reports them.
const (
	HealthStarting  = state.HealthStarting
	HealthHealthy   = state.HealthHealthy
	HealthUnhealthy = state.HealthUnhealthy
)

// The restart policies, as Docker names them.
const (
	RestartNo            = state.RestartNo
	RestartAlways        = state.RestartAlways
	RestartOnFailure     = state.RestartOnFailure
	RestartUnlessStopped = state.RestartUnlessStopped
)

// paths is where cfg keeps projects' state.
func (c Config) paths() state.Paths { return state.Paths{Root: c.Root, RuntimeDir: c.RuntimeDir} }

// LoadState reads the recorded state of project name; a project never brought up yields
// an error wrapping ErrNotFound. A state file that cannot be read or parsed (empty,
// truncated, garbage) yields an *engine.StateError naming it (errors.Is
// engine.ErrBadState): Down still removes what it can find (see recoverState).
func (c Config) LoadState(name string) (*State, error) { return c.paths().Load(name) }

// Projects returns the names of every project with recorded state, sorted.
func (c Config) Projects() ([]string, error) { return c.paths().Projects() }

// VolumeDir is the host directory of the named volume (full name, <project>_<volume>):
// <root>/volumes/<name>/_data. A name that is not one path element is refused with
// ErrInvalid.
func (c Config) VolumeDir(name string) (string, error) { return c.paths().VolumeDir(name) }

func (c Config) saveState(st *State) error               { return c.paths().Save(st) }
func (c Config) lockProject(name string) (func(), error) { return c.paths().Lock(name) }
func (c Config) statePath(name string) (string, error)   { return c.paths().StatePath(name) }
func (c Config) projectDir(name string) (string, error)  { return c.paths().ProjectDir(name) }
func (c Config) runDir(name string) (string, error)      { return c.paths().RunDir(name) }
func (c Config) socketPath(name string) (string, error)  { return c.paths().SocketPath(name) }
func (c Config) removeProjectDirs(name string) error     { return c.paths().RemoveProjectDirs(name) }
func (c Config) volumeExists(name string) bool           { return c.paths().VolumeExists(name) }
func (c Config) removeVolume(name string) error          { return c.paths().RemoveVolume(name) }

var (
	pathUnder   = state.PathUnder
	writeAtomic = state.WriteAtomic
)

var isNotFound = state.IsNotFound
