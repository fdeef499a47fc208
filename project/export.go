package project

import (
	"fmt"
	"io"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/image"
)

// ContainerOptions pick a running container of a service, as export's and commit's
// SERVICE argument and --index.
type ContainerOptions struct {
	Service string
	// Index is the replica (container number); 0 picks the lowest-numbered running
	// one, replicas before one-off containers, as Compose does.
	Index int
	// Progress receives Compose's status lines (" Container NAME  Exporting"); nil: none.
	Progress io.Writer
}

// status prints one Compose status line about container c to opts.Progress.
func (o ContainerOptions) status(c *ContainerState, text string) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, " Container %s  %s\n", c.Name, text)
	}
}

// runningContainer is the container of project name that opts picks. A service with
// no running container (or without the asked replica) wraps ErrNotFound, worded as
// Compose's (`service "web" is not running`).
func (c Config) runningContainer(name string, opts ContainerOptions) (*ContainerState, error) {
	st, err := c.LoadState(name)
	if isNotFound(err) {
		st = &State{Name: name}
	} else if err != nil {
		return nil, err
	}
	c.restoreSupervisor(name, st)
	eng := c.engine()
	return execTarget(st, func(id string) engine.Status {
		s, err := eng.State(id)
		if err != nil {
			return ""
		}
		return s.Status
	}, opts.Service, opts.Index)
}

// Export writes the file system of a running container of the service to w as a tar
// archive, as `docker compose export`: its image's layers and its writable layer
// merged, without its volumes and other mounts (engine.WithLayerView). Errors as
// runningContainer's.
func Export(cfg Config, name string, opts ContainerOptions, w io.Writer) error {
	c, err := cfg.runningContainer(name, opts)
	if err != nil {
		return err
	}
	opts.status(c, "Exporting")
	err = cfg.engine().WithLayerView(c.ID, func(root string) error { return image.WriteDirTar(root, w) })
	if err != nil {
		return fmt.Errorf("export %s: %w", describe(c), err)
	}
	opts.status(c, "Exported")
	return nil
}
