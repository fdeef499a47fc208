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
	names, _ := s.paths.Projects()
	var out []*state.State
	for _, name := range names {
		if name == s.name {
			continue
		}
		if st, err := s.paths.Load(name); err == nil {
			out = append(out, st)
		}
	}
	return out
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
	names, _ := paths.Projects()
	for _, name := range names {
		if name == st.Name {
			continue
		}
		other, err := paths.Load(name)
		if err != nil || !sharesNetwork(st, other) {
			continue
		}
		cl := NewClient(paths.SocketPath(name))
		cl.Timeout = peerTimeout
		cl.Do(ReqRefresh, nil) //nolint:errcheck // see the doc comment
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
