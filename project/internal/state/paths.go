package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Paths says where projects' state lives: Root (the state root, e.g. /var/lib/berth)
// and RuntimeDir (e.g. /run/berth). Every path derived from a name stays under them.
type Paths struct {
	Root       string
	RuntimeDir string
}

// ProjectDir is the project's state dir, <root>/projects/<name>.
func (c Paths) ProjectDir(name string) (string, error) {
	return PathUnder(filepath.Join(c.Root, "projects"), name)
}

// RunDir is the project's runtime dir, <runtime dir>/projects/<name>.
func (c Paths) RunDir(name string) (string, error) {
	return PathUnder(filepath.Join(c.RuntimeDir, "projects"), name)
}

// SocketPath is the supervisor's socket, <runtime dir>/projects/<name>/supervisor.sock.
func (c Paths) SocketPath(name string) (string, error) {
	dir, err := c.RunDir(name)
	return filepath.Join(dir, "supervisor.sock"), err
}

// EventsPath is the project's event log, <runtime dir>/events/<name>.jsonl (see
// project/internal/eventlog): outside its run dir, so that it outlives a down.
func (c Paths) EventsPath(name string) (string, error) {
	p, err := PathUnder(filepath.Join(c.RuntimeDir, "events"), name)
	return p + ".jsonl", err
}

// VolumeDir is the host directory of the named volume (full name, <project>_<volume>):
// <root>/volumes/<name>/_data. A name that is not one path element (empty, ".", "..",
// holding "/") is refused with ErrInvalid.
func (c Paths) VolumeDir(name string) (string, error) {
	dir, err := PathUnder(filepath.Join(c.Root, "volumes"), name)
	if err != nil {
		return "", fmt.Errorf("volume: %w", err)
	}
	return filepath.Join(dir, "_data"), nil
}

// RemoveProjectDirs removes the project's state dir and runtime dir, and nothing else: a
// name that is not one path element is refused.
func (c Paths) RemoveProjectDirs(name string) error {
	run, err := c.RunDir(name)
	if err != nil {
		return err
	}
	os.RemoveAll(run) // a socket and a log: best effort
	dir, err := c.ProjectDir(name)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove state of project %q: %w", name, err)
	}
	return nil
}

// VolumeExists reports whether the named volume's directory exists; a name that is not
// one path element never does.
func (c Paths) VolumeExists(name string) bool {
	dir, err := c.VolumeDir(name)
	return err == nil && FileExists(dir)
}

// RemoveVolume removes the named volume's directory, <root>/volumes/<name>, and only
// that: a name that is not one path element is refused.
func (c Paths) RemoveVolume(name string) error {
	dir, err := c.VolumeDir(name)
	if err != nil {
		return err
	}
	return os.RemoveAll(filepath.Dir(dir))
}

// PathUnder returns root/name after checking that name is a single path element, so the
// result stays inside root: not empty, ".", "..", nor holding "/" or NUL. Every path
// berth derives from a name (project, volume, secret, config) is made with it, so a name
// that escaped the loader's checks (an older state file, a caller's bug) still cannot
// reach, create or remove anything outside the root. It returns an error wrapping
// ErrInvalid.
func PathUnder(root, name string) (string, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return "", fmt.Errorf("name %q is not a single path element: %w", name, ErrInvalid)
	}
	p := filepath.Join(root, name)
	if rel, err := filepath.Rel(root, p); err != nil || rel != name {
		return "", fmt.Errorf("name %q leads outside %s: %w", name, root, ErrInvalid)
	}
	return p, nil
}

// StatePath is the project's state file, <root>/projects/<name>/state.json.
func (c Paths) StatePath(name string) (string, error) {
	dir, err := c.ProjectDir(name)
	return filepath.Join(dir, "state.json"), err
}

// Projects returns the names of every project with recorded state, sorted.
func (c Paths) Projects() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(c.Root, "projects"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	var out []string
	for _, e := range ents {
		if p, err := c.StatePath(e.Name()); err == nil && FileExists(p) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
