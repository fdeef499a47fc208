package project

import (
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/netdriver"
	"github.com/berth-dev/berth/project/internal/apply"
	"github.com/berth-dev/berth/project/internal/state"
)

// The executor: a run carries out a plan (Up, Run) or acts on the recorded containers
// (Down, Start, Stop, ...), recording every object in the project's state before it
// is made.

// run is the state of one Up (or Down) in progress; mu guards st and its saves.
type run struct {
	cfg Config
	p   *compose.Project
	eng *engine.Engine
	nd  *netdriver.Driver
	sup *client
	out io.Writer
	// images are the services' images, resolved (built, pulled) before the plan.
	images map[string]resolvedImage
	// hookImages are the images pre_start hooks name besides their service's, by name.
	hookImages map[string]resolvedImage
	// hookOut, when set, gets each output line of a hook (pre_start, post_start,
	// pre_stop) with Compose's source ("web-1 ->", "web pre_start[0] ->").
	hookOut func(service, source, line string)

	mu sync.Mutex
	st *State
	// Saves share writes (save): snapshot is the newest encoded state and snapshotSeq
	// its number, under mu; writeMu serialises the writes, savedSeq (under writeMu) is
	// the number of the newest snapshot on disk.
	snapshot              []byte
	snapshotSeq, savedSeq uint64
	writeMu               sync.Mutex
	// tearingDown (Down) makes save best effort, and removeContainer leaves its save to
	// Down, which saves once the containers are gone (or one failed): the state only
	// shrinks while Down runs, and every removal is idempotent, so a state left larger
	// than the truth (a full disk, a kill) only makes the next Down retry removals that
	// are done.
	tearingDown bool
	// netnsLeft are the IDs of network namespaces whose removal failed while tearing
	// down (the driver could not record it: a full disk); Down retries them once the
	// containers, and what they wrote, are gone.
	netnsLeft []string
	// limit bounds the container operations running at once (slots).
	limit     limiter
	slotsOnce sync.Once
}

// stateRun is a run over project name's recorded state, for commands that read it
// and act on its containers; nil (and no error) for a project never brought up.
func (cfg Config) stateRun(name string) (*run, error) {
	st, err := cfg.LoadState(name)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &run{cfg: cfg, eng: cfg.engine(), st: st}, nil
}

// save writes the project's state as it is now. The state is encoded under mu and
// written outside it, and concurrent saves share writes: a save whose snapshot a later
// write already carried returns at once, and a write always takes the newest snapshot.
// So the containers of a level, each saving several times, cost a few synced writes
// instead of one each, queued behind mu (a 50-service up waited seconds on it).
func (r *run) save() error {
	r.mu.Lock()
	b, err := state.Encode(r.st)
	if err != nil {
		r.mu.Unlock()
		return err
	}
	r.snapshotSeq++
	seq := r.snapshotSeq
	r.snapshot = b
	name, tearingDown := r.st.Name, r.tearingDown
	r.mu.Unlock()

	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if r.savedSeq >= seq {
		return nil // a write after our snapshot carried it
	}
	r.mu.Lock()
	b, seq = r.snapshot, r.snapshotSeq
	r.mu.Unlock()
	if err := r.cfg.paths().SaveEncoded(name, b); err != nil {
		if tearingDown {
			return nil
		}
		return err
	}
	r.savedSeq = seq
	return nil
}

func (r *run) printf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.out, format, args...)
}

// describe is a one-line summary of a container for messages.
var describe = state.Describe

// sortedKeys returns m's keys, sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// target is the project r acts on, as the apply room's steps take it.
func (r *run) target() apply.Target {
	return apply.Target{P: r.p, St: r.st, Paths: r.cfg.paths(), Save: r.save, Progress: r.printf}
}
