package project

import (
	"fmt"
	"os"

	"github.com/berth-dev/berth/compose"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Anonymous volumes, as Docker Compose v2 has them: a service volume without a source
// (`- /data`), and each VOLUME of the image that no mount of the service covers, get a
// volume of their own: the directory Config.VolumeDir(<64 hex ID>), recorded in the
// container's state (ContainerState.AnonymousVolumes) before it is made, and populated
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

// ensureAnonymous records the anonymous volumes of c for targets (keeping those it has)
// and creates their directories; it returns them (path -> ID).
func (r *run) ensureAnonymous(c *ContainerState, targets []string) (map[string]string, error) {
	r.mu.Lock()
	vols, added := assignAnonymous(c.AnonymousVolumes, targets, newID)
	if len(vols) > 0 {
		c.AnonymousVolumes = vols
	}
	r.mu.Unlock()
	if added {
		if err := r.save(); err != nil {
			return nil, err
		}
	}
	for _, t := range targets {
		dir, err := r.cfg.VolumeDir(vols[t])
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			return nil, fmt.Errorf("create anonymous volume %s for %s: %w", vols[t], t, err)
		}
	}
	return vols, nil
}

// handOver records the anonymous volumes that the replacement of old inherits in
// State.HandedOver, so that removing old keeps them and a crash before the
// replacement records them leaves them to Down.
func (r *run) handOver(old *ContainerState, svc compose.ServiceConfig, img v1.Config, renew bool) (map[string]string, error) {
	if old == nil || len(old.AnonymousVolumes) == 0 {
		return nil, nil
	}
	r.mu.Lock()
	keep := inheritedVolumes(old.AnonymousVolumes, anonymousTargets(svc, img), renew)
	for _, t := range sortedKeys(keep) {
		r.st.HandedOver = append(r.st.HandedOver, keep[t])
	}
	r.mu.Unlock()
	if len(keep) == 0 {
		return keep, nil
	}
	return keep, r.save()
}

// takeOver makes c the owner of the handed-over volumes vols; the caller saves.
func (r *run) takeOver(c *ContainerState, vols map[string]string) {
	if len(vols) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c.AnonymousVolumes = map[string]string{}
	taken := map[string]bool{}
	for t, id := range vols {
		c.AnonymousVolumes[t] = id
		taken[id] = true
	}
	var left []string
	for _, id := range r.st.HandedOver {
		if !taken[id] {
			left = append(left, id)
		}
	}
	r.st.HandedOver = left
}

// removeAnonymousVolumes removes the directories of c's anonymous volumes, except
// those being handed over to its replacement. A missing one is success.
func (r *run) removeAnonymousVolumes(c *ContainerState) error {
	r.mu.Lock()
	kept := map[string]bool{}
	for _, id := range r.st.HandedOver {
		kept[id] = true
	}
	var ids []string
	for _, t := range sortedKeys(c.AnonymousVolumes) {
		if id := c.AnonymousVolumes[t]; !kept[id] {
			ids = append(ids, id)
		}
	}
	r.mu.Unlock()
	return r.removeVolumeDirs(ids)
}

// removeVolumeDirs removes the volumes with these IDs (or full names) from disk.
func (r *run) removeVolumeDirs(ids []string) error {
	for _, id := range ids {
		if id == "" {
			continue
		}
		if err := r.cfg.removeVolume(id); err != nil {
			return fmt.Errorf("remove anonymous volume %s: %w", id, err)
		}
	}
	return nil
}
