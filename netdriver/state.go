package netdriver

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/berth-dev/berth/internal/atomicfile"
)

// state is everything berth made, persisted as JSON in StateDir/state.json so that Sweep and a
// restarted process can find and remove every kernel object.
type state struct {
	Networks map[string]*netState `json:"networks"`
	// Netns maps a namespace id to its bind-mount path.
	Netns map[string]string `json:"netns"`
}

type netState struct {
	Name     string            `json:"name"`
	Bridge   string            `json:"bridge"`
	Subnet   netip.Prefix      `json:"subnet"`
	Gateway  netip.Addr        `json:"gateway"`
	IPRange  netip.Prefix      `json:"ipRange,omitzero"`
	Subnet6  netip.Prefix      `json:"subnet6,omitzero"`
	Gateway6 netip.Addr        `json:"gateway6,omitzero"`
	IPRange6 netip.Prefix      `json:"ipRange6,omitzero"`
	Internal bool              `json:"internal,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
	DNSPort  uint16            `json:"dnsPort,omitempty"`
	// Endpoints is keyed by the netns path.
	Endpoints map[string]*endpointState `json:"endpoints"`
}

type endpointState struct {
	NsPath  string        `json:"nsPath"`
	HostIf  string        `json:"hostIf"`
	IfName  string        `json:"ifName"`
	Address netip.Addr    `json:"address"`
	Ports   []PortMapping `json:"ports,omitempty"`
	// Address6 is zero on a network without IPv6.
	Address6   netip.Addr   `json:"address6,omitzero"`
	LinkLocal  []netip.Addr `json:"linkLocal,omitempty"`
	GwPriority int          `json:"gwPriority,omitempty"`
}

func newState() *state {
	return &state{Networks: map[string]*netState{}, Netns: map[string]string{}}
}

// loadState reads path; a missing file is an empty state, and so is an empty one (only a
// power loss leaves one, saveState, and the kernel objects it recorded are gone then too).
func loadState(path string) (*state, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return newState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read network state: %w", err)
	}
	if len(b) == 0 {
		return newState(), nil
	}
	st := newState()
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("parse network state %s: %w", path, err)
	}
	if st.Networks == nil {
		st.Networks = map[string]*netState{}
	}
	if st.Netns == nil {
		st.Netns = map[string]string{}
	}
	for _, n := range st.Networks {
		if n.Endpoints == nil {
			n.Endpoints = map[string]*endpointState{}
		}
	}
	return st, nil
}

// saveState replaces path with st through a temp file in the same directory, its blocks
// reserved before it is written, and a rename (atomicfile.WriteFileReserved): a process
// killed at any point, or a full disk, leaves either the old or the new file, never an
// empty or partial one. It does not fsync (2 ms or more, twice per container start, all
// under the state lock): everything the state records is a kernel object or a mount under
// the runtime dir, which a power loss ends as well, and loadState reads the empty file one
// may leave as an empty state.
func saveState(path string, st *state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode network state: %w", err)
	}
	if err := atomicfile.WriteFileReserved(path, b, 0o600); err != nil {
		return fmt.Errorf("write network state: %w", err)
	}
	return nil
}

// usedSubnets lists the subnets of every recorded network.
func (st *state) usedSubnets() []netip.Prefix {
	var out []netip.Prefix
	for _, n := range st.Networks {
		out = append(out, n.Subnet)
		if n.Subnet6.IsValid() {
			out = append(out, n.Subnet6)
		}
	}
	return out
}

// takenAddrs lists the gateway and endpoint addresses of n.
func (n *netState) takenAddrs() map[netip.Addr]bool {
	taken := map[netip.Addr]bool{n.Gateway: true, n.Gateway6: true}
	for _, ep := range n.Endpoints {
		taken[ep.Address] = true
		taken[ep.Address6] = true
	}
	return taken
}

// shortName derives a kernel interface name (at most 15 bytes) from prefix, a kind letter and
// a hash of key; attempt > 0 rehashes to step around a collision. The same inputs always give
// the same name.
func shortName(prefix string, kind byte, key string, attempt int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d", key, attempt))
	name := prefix + string(kind) + hex.EncodeToString(sum[:])
	return name[:15]
}

// bridgeNameFor returns the recorded bridge name of network, or a fresh one that no other
// recorded network uses.
func (st *state) bridgeNameFor(prefix, network string) string {
	if n, ok := st.Networks[network]; ok {
		return n.Bridge
	}
	inUse := map[string]bool{}
	for _, n := range st.Networks {
		inUse[n.Bridge] = true
	}
	for i := 0; ; i++ {
		if name := shortName(prefix, 'b', network, i); !inUse[name] {
			return name
		}
	}
}
