package housekeep

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/netdriver"
	"github.com/berth-dev/berth/project"
)

// Store is the host's berth state, as one project.Config locates it.
type Store struct {
	cfg project.Config
}

// New returns the Store of cfg. It opens nothing yet.
func New(cfg project.Config) *Store { return &Store{cfg: cfg} }

func (s *Store) engine() *engine.Engine {
	return &engine.Engine{Root: s.cfg.Root, CgroupParent: s.cfg.CgroupParent}
}

func (s *Store) images() (*image.Store, error) {
	return image.Open(filepath.Join(s.cfg.Root, "images"))
}

// netdriver opens the network driver as project does: same state dir, table, prefix.
func (s *Store) netdriver() (*netdriver.Driver, error) {
	return netdriver.New(netdriver.Options{
		StateDir:   filepath.Join(s.cfg.Root, "networks"),
		RuntimeDir: filepath.Join(s.cfg.RuntimeDir, "netns"),
		Table:      s.cfg.Table,
		Pools:      s.cfg.Pools,
		NamePrefix: s.cfg.NamePrefix,
	})
}

// container is one engine container as housekeeping sees it.
type container struct {
	ID      string
	Name    string // Compose's container name when labelled, else the ID
	Project string
	Status  engine.Status
	Spec    engine.Spec
}

// usage is what every container of the host uses, and what the projects record.
type usage struct {
	containers []container
	layers     map[string]bool      // diffIDs ("sha256:...") in some container's rootfs
	netns      map[string]container // by the path of the network namespace it owns
	// projectNetworks maps a full network name to the project recording it.
	projectNetworks map[string]string
	// projectVolumes maps a volume's full name to its project and compose name.
	projectVolumes map[string][2]string
	// handedOver are anonymous volumes on their way to a recreated container.
	handedOver map[string]bool
	// badState is the error of a project state that could not be read (naming the
	// file): what it records is unknown, so volumes and networks are not removed.
	badState error
}

// scan reads every container and every project state. A container whose spec cannot
// be read counts as using nothing but is still listed; a project state that cannot be
// read is kept in badState (listing goes on; scanForRemoval refuses).
func (s *Store) scan() (*usage, error) {
	u := &usage{layers: map[string]bool{}, netns: map[string]container{}, projectNetworks: map[string]string{},
		projectVolumes: map[string][2]string{}, handedOver: map[string]bool{}}
	states, err := s.engine().List()
	if err != nil {
		return nil, fmt.Errorf("housekeeping: %w", err)
	}
	for _, st := range states {
		spec, err := s.engine().Spec(st.ID)
		if errors.Is(err, engine.ErrNotFound) {
			continue // removed meanwhile
		}
		u.add(container{ID: st.ID, Name: containerName(spec.Labels, st.ID),
			Project: spec.Labels["com.docker.compose.project"], Status: st.Status, Spec: spec})
	}
	return u, s.scanProjects(u)
}

// containerName is <project>-<service>-<n> from Compose's labels, else id.
func containerName(labels map[string]string, id string) string {
	p, svc, n := labels["com.docker.compose.project"], labels["com.docker.compose.service"], labels["com.docker.compose.container-number"]
	if p == "" || svc == "" || n == "" {
		return id
	}
	return p + "-" + svc + "-" + n
}

func (u *usage) add(c container) {
	u.containers = append(u.containers, c)
	for _, d := range c.Spec.LayerDirs {
		u.layers["sha256:"+filepath.Base(d)] = true
	}
	if c.Spec.NetNSPath != "" && !c.Spec.SharedNetNS {
		u.netns[c.Spec.NetNSPath] = c
	}
}

func (s *Store) scanProjects(u *usage) error {
	names, err := s.cfg.Projects()
	if err != nil {
		return fmt.Errorf("housekeeping: %w", err)
	}
	for _, name := range names {
		st, err := s.cfg.LoadState(name)
		if errors.Is(err, project.ErrNotFound) {
			continue // removed by a down meanwhile
		}
		if errors.Is(err, engine.ErrBadState) {
			u.badState = fmt.Errorf("project %q: %w", name, err)
			continue
		}
		if err != nil {
			return fmt.Errorf("housekeeping: %w", err)
		}
		for _, n := range st.Networks {
			if !n.External {
				u.projectNetworks[n.Name] = name
			}
		}
		for vol, full := range st.Volumes {
			u.projectVolumes[full] = [2]string{name, vol}
		}
		for _, id := range st.HandedOver {
			u.handedOver[id] = true
		}
	}
	return nil
}

// scanForRemoval is scan for a removal of volumes or networks: an unreadable project
// state is an error, since what it records could not be protected.
func (s *Store) scanForRemoval() (*usage, error) {
	u, err := s.scan()
	if err == nil && u.badState != nil {
		err = fmt.Errorf("housekeeping: nothing removed: %w", u.badState)
	}
	return u, err
}

// usesPath returns the names of the containers that mount dir or a path inside it.
func (u *usage) usesPath(dir string) []string {
	dir = filepath.Clean(dir)
	var names []string
	for _, c := range u.containers {
		for _, m := range c.Spec.Mounts {
			src := filepath.Clean(m.Source)
			if m.Type == "bind" && (src == dir || strings.HasPrefix(src, dir+"/")) {
				names = append(names, c.Name)
				break
			}
		}
	}
	return names
}

// imageInUse reports whether some container runs img: Compose's image label names
// it, or, for a container without one (a build step's), its lower layers are exactly
// img's. (Images with the same layers and different configs are told apart by the
// label; the layers of every container are kept in any case.)
func (u *usage) imageInUse(img *image.Image) bool {
	for _, c := range u.containers {
		if u.runs(c, img) {
			return true
		}
	}
	return false
}

// runs reports whether container c runs img (see imageInUse).
func (u *usage) runs(c container, img *image.Image) bool {
	label, ok := c.Spec.Labels["com.docker.compose.image"]
	return label == img.ID || (!ok && sameLayers(c.Spec.LayerDirs, img))
}

func sameLayers(dirs []string, img *image.Image) bool {
	if len(dirs) != len(img.Layers) || len(dirs) == 0 {
		return false
	}
	for i, d := range dirs {
		if filepath.Base(d) != img.Layers[i].Hex {
			return false
		}
	}
	return true
}
