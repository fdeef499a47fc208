package plan

import (
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project/internal/state"
)

// SharedServices are the services whose container svc's containers join a namespace
// of (network_mode, ipc, pid: service:X) or take the volumes of (volumes_from), in
// the order the keys name them.
func SharedServices(svc compose.ServiceConfig) []string {
	var out []string
	for _, mode := range []string{svc.NetworkMode, svc.Ipc, svc.Pid} {
		if x, ok := strings.CutPrefix(mode, "service:"); ok {
			out = append(out, x)
		}
	}
	for _, v := range svc.VolumesFrom {
		if !strings.HasPrefix(v, "container:") {
			x, _, _ := strings.Cut(v, ":")
			out = append(out, x)
		}
	}
	return out
}

// sharedChanged is the service, among those whose namespace container c of svc joined,
// that gets a new container in plan or whose container is not the one c joined, or ""
// when c still shares with the containers it joined. Compose resolves service:X to X's
// container ID before hashing the config, so a new X recreates c; this is that rule.
func sharedChanged(plan Plan, st *state.State, svc compose.ServiceConfig, c *state.ContainerState) string {
	for _, x := range SharedServices(svc) {
		cs := st.ServiceContainers(x)
		if len(cs) == 0 || cs[0].ID != c.Joins[x] || renewed(plan, cs[0]) {
			return x
		}
	}
	return ""
}

// renewed reports whether plan replaces container c (recreates it).
func renewed(plan Plan, c *state.ContainerState) bool {
	for _, a := range plan {
		if a.Kind == ActRecreate && a.Service == c.Service && a.Number == c.Number {
			return true
		}
	}
	return false
}
