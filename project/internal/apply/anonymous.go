package apply

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"sync"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project/internal/spec"
	"github.com/berth-dev/berth/project/internal/state"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Anonymous volumes, as Docker Compose v2 has them: a service volume without a source
// (`- /data`), and each VOLUME of the image that no mount of the service covers, get a
// volume of their own: the directory Paths.VolumeDir(<64 hex ID>), recorded in the
// container's state (state.ContainerState.AnonymousVolumes) before it is made, and populated
// with the image's content at that path when the container first starts
// (engine.Mount.CopyUp).
//
// Lifetime: when a container is recreated, its replacement inherits the anonymous
// volumes of the paths it still mounts anonymously (up -V/--renew-anon-volumes: fresh
// ones). Every other removal of a container (down, rm, run --rm, scale down, orphans)
// removes its anonymous volumes with it. Docker leaves them dangling unless -v is
// given; nothing in berth could ever reach them again, so berth removes them.

// inheritedVolumes returns the anonymous volumes (path -> ID) of a container being
// recreated that its replacement keeps: those of the paths in targets, none with
// renew (up -V). The others are removed with the old container.
func inheritedVolumes(old map[string]string, targets []string, renew bool) map[string]string {
	out := map[string]string{}
	if renew {
		return out
	}
	for _, t := range targets {
		if id, ok := old[t]; ok {
			out[t] = id
		}
	}
	return out
}

// assignAnonymous returns the anonymous volumes of a container mounting targets: the
// ones of have for those paths, and a fresh ID from newID for each other path; added
// says whether any is fresh.
func assignAnonymous(have map[string]string, targets []string, newID func() string) (vols map[string]string, added bool) {
	vols = map[string]string{}
	for _, t := range targets {
		if id, ok := have[t]; ok {
			vols[t] = id
			continue
		}
		vols[t], added = newID(), true
	}
	return vols, added
}

// EnsureAnonymous records the anonymous volumes of c for targets (keeping those it
// has, a fresh ID from newID for the others) and creates their directories; it returns
// them (path -> ID). mu guards c and t.St.
func EnsureAnonymous(t Target, mu sync.Locker, c *state.ContainerState, targets []string, newID func() string) (map[string]string, error) {
	mu.Lock()
	vols, added := assignAnonymous(c.AnonymousVolumes, targets, newID)
	if len(vols) > 0 {
		c.AnonymousVolumes = vols
	}
	mu.Unlock()
	if added {
		if err := t.Save(); err != nil {
			return nil, err
		}
	}
	for _, target := range targets {
		dir, err := t.Paths.VolumeDir(vols[target])
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			return nil, fmt.Errorf("create anonymous volume %s for %s: %w", vols[target], target, err)
		}
	}
	return vols, nil
}

// HandOver records the anonymous volumes that the replacement of old (of svc, running
// img) inherits in State.HandedOver, so that removing old keeps them and a crash
// before the replacement records them leaves them to Down; none with renew (up -V).
// mu guards t.St.
func HandOver(t Target, mu sync.Locker, old *state.ContainerState, svc compose.ServiceConfig, img v1.Config, renew bool) (map[string]string, error) {
	if old == nil || len(old.AnonymousVolumes) == 0 {
		return nil, nil
	}
	mu.Lock()
	keep := inheritedVolumes(old.AnonymousVolumes, spec.AnonymousTargets(svc, img), renew)
	for _, target := range slices.Sorted(maps.Keys(keep)) {
		t.St.HandedOver = append(t.St.HandedOver, keep[target])
	}
	mu.Unlock()
	if len(keep) == 0 {
		return keep, nil
	}
	return keep, t.Save()
}

// TakeOver makes c the owner of the handed-over volumes vols; the caller saves. mu
// guards c and t.St.
func TakeOver(t Target, mu sync.Locker, c *state.ContainerState, vols map[string]string) {
	if len(vols) == 0 {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	c.AnonymousVolumes = map[string]string{}
	taken := map[string]bool{}
	for target, id := range vols {
		c.AnonymousVolumes[target] = id
		taken[id] = true
	}
	var left []string
	for _, id := range t.St.HandedOver {
		if !taken[id] {
			left = append(left, id)
		}
	}
	t.St.HandedOver = left
}

// RemoveAnonymous removes the directories of c's anonymous volumes, except those being
// handed over to its replacement. A missing one is success. mu guards t.St.
func RemoveAnonymous(t Target, mu sync.Locker, c *state.ContainerState) error {
	mu.Lock()
	kept := map[string]bool{}
	for _, id := range t.St.HandedOver {
		kept[id] = true
	}
	var ids []string
	for _, target := range slices.Sorted(maps.Keys(c.AnonymousVolumes)) {
		if id := c.AnonymousVolumes[target]; !kept[id] {
			ids = append(ids, id)
		}
	}
	mu.Unlock()
	return RemoveVolumeDirs(t.Paths, ids)
}

// RemoveVolumeDirs removes the volumes with these IDs (or full names) from disk.
func RemoveVolumeDirs(paths state.Paths, ids []string) error {
	for _, id := range ids {
		if id == "" {
			continue
		}
		if err := paths.RemoveVolume(id); err != nil {
			return fmt.Errorf("remove anonymous volume %s: %w", id, err)
		}
	}
	return nil
}
