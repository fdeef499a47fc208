package housekeep

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Sentinel errors, tested with errors.Is (IsNotFound covers both kinds).
var (
	ErrNoSuchVolume  = errors.New("no such volume")
	ErrNoSuchNetwork = errors.New("no such network")
	ErrInUse         = errors.New("in use")
)

// IsNotFound reports whether err says a volume or network does not exist.
func IsNotFound(err error) bool {
	return errors.Is(err, ErrNoSuchVolume) || errors.Is(err, ErrNoSuchNetwork)
}

// Volume is one volume as `docker volume inspect` shows it (its JSON keys).
type Volume struct {
	CreatedAt  time.Time         `json:"CreatedAt"`
	Driver     string            `json:"Driver"`
	Labels     map[string]string `json:"Labels"`
	Mountpoint string            `json:"Mountpoint"`
	Name       string            `json:"Name"`
	Options    map[string]string `json:"Options"`
	Scope      string            `json:"Scope"`
	// UsedBy are the names of the containers mounting it (not part of Docker's JSON).
	UsedBy []string `json:"-"`
	// Size is its content's size in bytes, filled by DiskUsage only.
	Size int64 `json:"-"`
}

// Anonymous reports whether v is an anonymous volume (a 64-hex name, as Docker's).
func (v *Volume) Anonymous() bool { return anonymousName.MatchString(v.Name) }

var anonymousName = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Volumes lists every volume under the root, sorted by name, with Compose's labels
// for the volumes a project records and the containers that mount each.
func (s *Store) Volumes() ([]*Volume, error) {
	u, err := s.scan()
	if err != nil {
		return nil, err
	}
	return s.volumes(u)
}

func (s *Store) volumes(u *usage) ([]*Volume, error) {
	dir := filepath.Join(s.cfg.Root, "volumes")
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	var out []*Volume
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue // a removal under way (removeVolumeDir)
		}
		if v, err := s.volume(u, e.Name()); err == nil {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// volume describes the volume name; one that does not exist yields ErrNoSuchVolume.
func (s *Store) volume(u *usage, name string) (*Volume, error) {
	data, err := s.cfg.VolumeDir(name)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", name, ErrNoSuchVolume)
	}
	fi, err := os.Stat(filepath.Dir(data))
	if err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("get %s: %w", name, ErrNoSuchVolume)
	}
	v := &Volume{CreatedAt: fi.ModTime().UTC().Truncate(time.Second), Driver: "local", Mountpoint: data,
		Name: name, Scope: "local", UsedBy: u.usesPath(filepath.Dir(data))}
	if p, ok := u.projectVolumes[name]; ok {
		v.Labels = map[string]string{"com.docker.compose.project": p[0], "com.docker.compose.volume": p[1]}
	} else if v.Anonymous() {
		v.Labels = map[string]string{"com.docker.volume.anonymous": ""}
	}
	if u.handedOver[name] {
		v.UsedBy = append(v.UsedBy, "recreated container")
	}
	return v, nil
}

// Volume describes one volume; an unknown name yields ErrNoSuchVolume.
func (s *Store) Volume(name string) (*Volume, error) {
	u, err := s.scan()
	if err != nil {
		return nil, err
	}
	return s.volume(u, name)
}

// RemoveVolume removes the volume name and its content. A volume a container mounts
// (running or stopped, of any project) is refused with ErrInUse; an unknown one
// yields ErrNoSuchVolume.
func (s *Store) RemoveVolume(name string) error {
	u, err := s.scanForRemoval()
	if err != nil {
		return err
	}
	v, err := s.volume(u, name)
	if err != nil {
		return err
	}
	if len(v.UsedBy) > 0 {
		return fmt.Errorf("remove %s: volume is %w - %v", name, ErrInUse, v.UsedBy)
	}
	_, err = removeVolumeDir(v)
	return err
}

// removeVolumeDir deletes the volume's directory and returns its size. It is renamed
// aside first (a name a lister skips) so the volume vanishes at once.
func removeVolumeDir(v *Volume) (int64, error) {
	dir := filepath.Dir(v.Mountpoint)
	n := dirSize(dir)
	trash := filepath.Join(filepath.Dir(dir), ".removing-"+v.Name)
	if err := os.Rename(dir, trash); err != nil {
		return 0, fmt.Errorf("remove volume %s: %w", v.Name, err)
	}
	if err := os.RemoveAll(trash); err != nil {
		return 0, fmt.Errorf("remove volume %s: %w", v.Name, err)
	}
	return n, nil
}

// PruneReport lists what a prune removed and the bytes it freed.
type PruneReport struct {
	Deleted   []string
	Reclaimed int64
}

// PruneVolumes removes the volumes no container uses: the anonymous ones, and with
// all the named ones too (a project's next up creates them again, empty), as `docker
// volume prune [-a]`; only volumes f accepts (label=) go.
func (s *Store) PruneVolumes(all bool, f Filter) (PruneReport, error) {
	var rep PruneReport
	u, err := s.scanForRemoval()
	if err != nil {
		return rep, err
	}
	if err := s.sweepRemoving(); err != nil {
		return rep, err
	}
	vols, err := s.volumes(u)
	if err != nil {
		return rep, err
	}
	for _, v := range vols {
		if len(v.UsedBy) > 0 || (!all && !v.Anonymous()) || !f.Volume(v) {
			continue
		}
		n, err := removeVolumeDir(v)
		if err != nil {
			return rep, err
		}
		rep.Deleted = append(rep.Deleted, v.Name)
		rep.Reclaimed += n
	}
	return rep, nil
}

// sweepRemoving finishes volume removals an interrupted process left renamed aside.
func (s *Store) sweepRemoving() error {
	leftovers, _ := filepath.Glob(filepath.Join(s.cfg.Root, "volumes", ".removing-*"))
	for _, d := range leftovers {
		if err := os.RemoveAll(d); err != nil {
			return fmt.Errorf("remove volume %s: %w", filepath.Base(d), err)
		}
	}
	return nil
}

// dirSize is the size of the regular files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
