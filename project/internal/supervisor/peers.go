package supervisor

import (
	"context"
	"errors"
	"time"

	"github.com/berth-dev/berth/project/internal/state"
)

// peerTimeout bounds each system call of a refresh request to a peer's supervisor.
const peerTimeout = 5 * time.Second

// otherStates returns the states of every other project. One that cannot be read is
// left out: its containers are not named until it can be (down removes it anyway).
func (s *supervisor) otherStates() []*state.State {
	_, states := loadOthers(s.paths, s.name)
	return states
}

// loadOthers returns the names and states of the projects other than self whose state
// can be read.
func loadOthers(paths state.Paths, self string) ([]string, []*state.State) {
	all, _ := paths.Projects()
	var names []string
	var states []*state.State
	for _, name := range all {
		if name == self {
			continue
		}
		if st, err := paths.Load(name); err == nil {
			names, states = append(names, name), append(states, st)
		}
	}
	return names, states
}

// refresh makes the DNS records match every project's state again (ReqRefresh: a
// peer's containers changed), and nothing else. A project whose state is gone (down)
// keeps its records until it stops.
func (s *supervisor) refresh(ctx context.Context) error {
	st, err := s.paths.Load(s.name)
	if errors.Is(err, state.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	others := s.otherStates()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.syncRecords(ctx, st, others)
}

// NotifyPeers asks the supervisor of every other project that shares a network with
// st (by full name: one made by either, external to the other) to refresh its DNS
// records from the states, and waits for their answers: when it returns, st's
// containers are named, and may query, on the networks the peers serve. It reports no
// error: a project without a supervisor serves no names, and a supervisor that does
// not answer reads every state again on its next sync.
func NotifyPeers(paths state.Paths, st *state.State) {
	names, others := loadOthers(paths, st.Name)
	notifyPeers(paths, st, names, others)
}

// notifyPeers is NotifyPeers over the other projects' states, loaded already (names[i]
// is others[i]'s project).
func notifyPeers(paths state.Paths, st *state.State, names []string, others []*state.State) {
	for i, other := range others {
		if !sharesNetwork(st, other) {
			continue
		}
		cl := NewClient(paths.SocketPath(names[i]))
		cl.Timeout = peerTimeout
		cl.Do(ReqRefresh, nil) //nolint:errcheck // see NotifyPeers
	}
}

// sharesNetwork reports whether a and b record a network of the same full name.
func sharesNetwork(a, b *state.State) bool {
	for _, n := range a.Networks {
		for _, m := range b.Networks {
			if n.Name == m.Name {
				return true
			}
		}
	}
	return false
}
