package project

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/internal/atomicfile"
	"golang.org/x/sys/unix"
)

// Sentinel errors, tested with errors.Is.
var (
	// ErrNotFound: no such project, service or container.
	ErrNotFound = errors.New("not found")
	// ErrExists: a name or host port is already taken.
	ErrExists = errors.New("already exists")
	// ErrInvalid: the request or the project cannot be run as asked.
	ErrInvalid = errors.New("invalid")
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
	Aliases   []string          `json:"aliases,omitempty"`
	Hostname  string            `json:"hostname,omitempty"`
	Ports     []PortState       `json:"ports,omitempty"`
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
	// while set (see restart.go).
	StoppedByUser bool `json:"stoppedByUser,omitempty"`
	// AnonymousVolumes maps a path in the container to the ID of the anonymous volume
	// mounted there (its directory is Config.VolumeDir(ID)); see anonvolume.go.
	AnonymousVolumes map[string]string `json:"anonymousVolumes,omitempty"`
}

// PortState is a published port, as `ps` prints it.
type PortState struct {
	HostIP        string `json:"hostIP,omitempty"`
	HostPort      uint16 `json:"hostPort"`
	ContainerPort uint16 `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

// ConfigHash returns the container's config-hash label.
func (c *ContainerState) ConfigHash() string { return c.Labels[LabelConfigHash] }

func (c Config) statePath(name string) (string, error) {
	dir, err := c.projectDir(name)
	return filepath.Join(dir, "state.json"), err
}

// LoadState reads the recorded state of project name; a project never brought up yields
// an error wrapping ErrNotFound. A state file that cannot be read or parsed (empty,
// truncated, garbage) yields an *engine.StateError naming it (errors.Is
// engine.ErrBadState): Down still removes what it can find (see recoverState).
func (c Config) LoadState(name string) (*State, error) {
	path, err := c.statePath(name)
	if err != nil {
		return nil, fmt.Errorf("project %q: %w", name, err)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("project %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, &engine.StateError{Path: path, Err: unwrapPath(err)}
	}
	st := &State{}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, &engine.StateError{Path: path, Err: err}
	}
	return st, nil
}

// unwrapPath is the cause of a *fs.PathError (whose path the caller names itself).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// saveState writes st atomically (temp file + rename).
func (c Config) saveState(st *State) error {
	sort.Slice(st.Containers, func(i, j int) bool {
		a, b := st.Containers[i], st.Containers[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Number < b.Number
	})
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("save state of project %q: %w", st.Name, err)
	}
	p, err := c.statePath(st.Name)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(p), 0o700)
	}
	if err == nil {
		err = writeAtomic(p, b)
	}
	if err != nil {
		return fmt.Errorf("save state of project %q: %w", st.Name, err)
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// writeAtomic replaces path with b, mode 0600, through a synced temp file in path's
// directory (which must exist) and a rename: on any error (a full disk too) path keeps
// its old content.
func writeAtomic(path string, b []byte) error {
	return atomicfile.WriteFile(path, b, 0o600)
}

// lockProject takes the project's flock, serialising mutating commands across processes.
// The returned func releases it.
func (c Config) lockProject(name string) (func(), error) {
	dir, err := c.projectDir(name)
	if err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return nil, fmt.Errorf("lock project %q: %w", name, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock project %q: %w", name, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock project %q: %w", name, err)
	}
	return func() { f.Close() }, nil
}

// Projects returns the names of every project with recorded state, sorted.
func (c Config) Projects() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(c.Root, "projects"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	var out []string
	for _, e := range ents {
		if p, err := c.statePath(e.Name()); err == nil && fileExists(p) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

func (st *State) container(service string, number int) *ContainerState {
	for _, c := range st.Containers {
		if c.Service == service && c.Number == number {
			return c
		}
	}
	return nil
}

// serviceContainers returns the service's containers (not one-off `run` containers),
// by number.
func (st *State) serviceContainers(service string) []*ContainerState {
	var out []*ContainerState
	for _, c := range st.Containers {
		if c.Service == service && !c.oneoff() {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// containerByID returns the container with this ID, or nil.
func (st *State) containerByID(id string) *ContainerState {
	for _, c := range st.Containers {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (st *State) removeContainer(id string) {
	out := st.Containers[:0]
	for _, c := range st.Containers {
		if c.ID != id {
			out = append(out, c)
		}
	}
	st.Containers = out
}

func isNotFound(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, engine.ErrNotFound)
}
