package project

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/berth-dev/berth/engine"
)

// recoverState rebuilds the state of project name, whose state file cannot be read, from
// what the engine and the network driver keep: the containers whose labels name the
// project (their network namespaces go with them, by ID) and the networks the project
// created (by their labels), and the containers' anonymous volumes (by their mounts).
// Down then removes these as it would recorded ones. What only the lost file knew
// stays: named volumes (-v cannot tell the project's own from external ones) and
// containers created before the engine kept labels.
func (c Config) recoverState(name string) (*State, error) {
	st := &State{Name: name, Networks: map[string]NetworkState{}}
	eng := c.engine()
	ids, err := eng.IDs()
	if err != nil {
		return nil, fmt.Errorf("recover state of project %q: %w", name, err)
	}
	sort.Strings(ids)
	for _, id := range ids {
		spec, err := eng.Spec(id)
		if err != nil || spec.Labels[LabelProject] != name {
			continue // gone meanwhile, another project's, or unreadable too: nothing says it is ours
		}
		ctr := recoveredContainer(name, id, spec.Labels)
		ctr.AnonymousVolumes = c.anonymousMounts(spec.Mounts)
		st.Containers = append(st.Containers, ctr)
	}
	nd, err := c.netdriver()
	if err != nil {
		return nil, fmt.Errorf("recover state of project %q: %w", name, err)
	}
	nets, err := nd.Networks()
	if err != nil {
		return nil, fmt.Errorf("recover state of project %q: %w", name, err)
	}
	for _, n := range nets {
		if n.Labels[LabelProject] == name {
			st.Networks[n.Labels[labelNetwork]] = NetworkState{Name: n.Name, Gateway: n.Gateway.String(), Internal: n.Internal}
		}
	}
	return st, nil
}

// labelNetwork is the label naming a network's compose name (resources.go sets it).
const labelNetwork = "com.docker.compose.network"

// recoveredContainer is the record of a container found by its labels: enough to stop
// and remove it.
func recoveredContainer(project, id string, labels map[string]string) *ContainerState {
	number, _ := strconv.Atoi(labels[LabelNumber])
	name := fmt.Sprintf("%s-%s-%d", project, labels[LabelService], number)
	if labels[LabelOneoff] == "True" {
		name = fmt.Sprintf("%s-%s-run-%s", project, labels[LabelService], id[:min(12, len(id))])
	}
	return &ContainerState{ID: id, Name: name, Service: labels[LabelService], Number: number,
		Labels: labels, StopGrace: defaultStopGrace}
}

// anonymousMounts returns the anonymous volumes (target -> ID) among a container's
// mounts: bind mounts of Config.VolumeDir(<64 hex>), which only the container's own
// anonymous volumes are.
func (c Config) anonymousMounts(mounts []engine.Mount) map[string]string {
	out := map[string]string{}
	for _, m := range mounts {
		id := filepath.Base(filepath.Dir(m.Source))
		if m.Type != "bind" || !isHexID(id) {
			continue
		}
		if dir, err := c.VolumeDir(id); err == nil && m.Source == dir {
			out[m.Target] = id
		}
	}
	return out
}

// isHexID reports whether s is a 64-digit lower-case hex ID, as newID makes.
func isHexID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}
