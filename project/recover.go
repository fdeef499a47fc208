package project

import (
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/berth-dev/berth/engine"
)

// recoverState rebuilds the state of project name, whose state file cannot be read, from
// what the engine and the network driver keep: the containers whose labels name the
// project (their network namespaces go with them, by ID) and the networks the project
// created (by their labels). Down then removes these as it would recorded ones. What
// only the lost file knew stays: named volumes (-v cannot tell them from another
// project's), anonymous volumes and containers created before the engine kept labels.
func (c Config) recoverState(name string) (*State, error) {
	st := &State{Name: name, Networks: map[string]NetworkState{}}
	eng := c.engine()
	ids, err := eng.IDs()
	if err != nil {
		return nil, fmt.Errorf("recover state of project %q: %w", name, err)
	}
	sort.Strings(ids)
	for _, id := range ids {
		labels, err := eng.Labels(id)
		if errors.Is(err, engine.ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil || labels[LabelProject] != name {
			continue // another project's, or unreadable too: nothing says it is ours
		}
		st.Containers = append(st.Containers, recoveredContainer(name, id, labels))
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
