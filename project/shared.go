package project

import (
	"errors"
	"fmt"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/spec"
)

// errNoPeer is a namespace mode naming a container that does not exist.
var errNoPeer = errors.New("no such container")

// peerSpec resolves mode ("service:X" or "container:NAME") to the container c joins and
// returns that container's engine spec; for service:X it records in c.Joins which of
// X's containers it joined, so a new one of X recreates c (see plan's sharedChanged).
// what names the key for errors ("network_mode").
func (r *run) peerSpec(c *ContainerState, what, mode string) (*engine.Spec, error) {
	id, err := r.joinPeer(c, what, mode)
	if err != nil {
		return nil, err
	}
	peer, err := r.eng.Spec(id)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", what, mode, err)
	}
	return &peer, nil
}

// namespacePeers are the IDs of the containers whose ipc and pid namespaces container
// c of svc joins ("" for none), recorded in c.Joins for service:X.
func (r *run) namespacePeers(c *ContainerState, svc compose.ServiceConfig) (ipc, pid string, err error) {
	if spec.IsContainerRef(svc.Ipc) {
		if ipc, err = r.joinPeer(c, "ipc", svc.Ipc); err != nil {
			return "", "", err
		}
	}
	if spec.IsContainerRef(svc.Pid) {
		if pid, err = r.joinPeer(c, "pid", svc.Pid); err != nil {
			return "", "", err
		}
	}
	return ipc, pid, nil
}

// volumesFrom are the mounts container c of svc inherits from its volumes_from
// sources, in order (spec.InheritedMounts); service sources are recorded in c.Joins.
func (r *run) volumesFrom(c *ContainerState, svc compose.ServiceConfig) ([]engine.Mount, error) {
	var out []engine.Mount
	for _, v := range svc.VolumesFrom {
		ref, mode := spec.ParseVolumesFrom(v)
		source, err := r.peerSpec(c, "volumes_from", ref)
		if err != nil {
			return nil, err
		}
		out = append(out, spec.InheritedMounts(*source, mode)...)
	}
	return out, nil
}

// joinPeer is the ID of the container mode names, recorded in c.Joins for service:X.
// what names the key for errors ("network_mode").
func (r *run) joinPeer(c *ContainerState, what, mode string) (string, error) {
	id, err := r.peerID(mode)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w", what, mode, err)
	}
	if x := spec.RefService(mode); x != "" {
		r.mu.Lock()
		if c.Joins == nil {
			c.Joins = map[string]string{}
		}
		c.Joins[x] = id
		r.mu.Unlock()
	}
	return id, nil
}

// peerID is the ID of the container mode names: service X's lowest-numbered replica,
// or the container named (or whose ID is) NAME, in this project or another one.
func (r *run) peerID(mode string) (string, error) {
	if x := spec.RefService(mode); x != "" {
		r.mu.Lock()
		defer r.mu.Unlock()
		if cs := r.st.ServiceContainers(x); len(cs) > 0 {
			return cs[0].ID, nil
		}
		return "", fmt.Errorf("service %q has no container: %w", x, errNoPeer)
	}
	name := strings.TrimPrefix(mode, spec.ContainerPrefix)
	r.mu.Lock()
	c := containerNamed(r.st, name)
	r.mu.Unlock()
	if c != nil {
		return c.ID, nil
	}
	names, err := r.cfg.Projects()
	if err != nil {
		return "", err
	}
	for _, p := range names {
		if p == r.st.Name {
			continue
		}
		if st, err := r.cfg.LoadState(p); err == nil {
			if c := containerNamed(st, name); c != nil {
				return c.ID, nil
			}
		}
	}
	return "", fmt.Errorf("container %q: %w", name, errNoPeer)
}

// containerNamed is st's container whose name or ID is name, or nil.
func containerNamed(st *State, name string) *ContainerState {
	for _, c := range st.Containers {
		if c.Name == name || c.ID == name {
			return c
		}
	}
	return nil
}
