package supervisor

import (
	"testing"

	"github.com/berth-dev/berth/project/internal/state"
	"github.com/google/go-cmp/cmp"
)

// twoProjects: a made a_default and shared (internal); b uses shared as external and
// made b_default and b_only. b-api-1 is on shared and b_default, b-solo-1 on b_only.
func twoProjects() (a, b *state.State) {
	a = &state.State{Name: "a", Networks: map[string]state.NetworkState{
		"default": {Name: "a_default", Gateway: "10.0.0.1"},
		"shared":  {Name: "shared", Gateway: "10.0.1.1", Internal: true}},
		Containers: []*state.ContainerState{{ID: "a1", Name: "a-web-1", Addresses: map[string]string{"a_default": "10.0.0.2", "shared": "10.0.1.2"}}}}
	b = &state.State{Name: "b", Networks: map[string]state.NetworkState{
		"shared":  {Name: "shared", External: true},
		"default": {Name: "b_default", Gateway: "10.0.2.1"},
		"only":    {Name: "b_only", Gateway: "10.0.3.1"}},
		Containers: []*state.ContainerState{
			{ID: "b1", Name: "b-api-1", Addresses: map[string]string{"shared": "10.0.1.3", "b_default": "10.0.2.2"}},
			{ID: "b2", Name: "b-solo-1", Addresses: map[string]string{"b_only": "10.0.3.2"}}}}
	return a, b
}

func TestPeerNetworks(t *testing.T) {
	a, b := twoProjects()
	served := func(st *state.State) map[string]state.NetworkState {
		out := map[string]state.NetworkState{}
		for _, n := range st.Networks {
			if !n.External {
				out[n.Name] = n
			}
		}
		return out
	}
	tests := []struct {
		name string
		own  *state.State
		want map[string]bool
	}{
		// a serves shared: b-api-1 on it is also on b_default; b_only is nobody's here.
		{"maker of the shared network", a, map[string]bool{"b_default": false}},
		// b serves b_default and b_only: b-api-1 on b_default is also on shared (internal).
		{"user of the external network", b, map[string]bool{"shared": true}},
	}
	for _, tt := range tests {
		got := peerNetworks([]*state.State{a, b}, served(tt.own))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: peerNetworks (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestSharesNetwork(t *testing.T) {
	a, b := twoProjects()
	c := &state.State{Name: "c", Networks: map[string]state.NetworkState{"default": {Name: "c_default"}}}
	for _, tt := range []struct {
		x, y *state.State
		want bool
	}{{a, b, true}, {b, a, true}, {a, c, false}, {c, &state.State{}, false}} {
		if got := sharesNetwork(tt.x, tt.y); got != tt.want {
			t.Errorf("sharesNetwork(%s, %s) = %v, want %v", tt.x.Name, tt.y.Name, got, tt.want)
		}
	}
}
