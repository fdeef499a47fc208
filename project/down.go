package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/apply"
	"github.com/berth-dev/berth/project/internal/supervisor"
)

// DownOptions configure Down, as `berth down`'s flags.
type DownOptions struct {
	Volumes       bool          // -v: remove named volumes too (anonymous ones always go)
	RemoveOrphans bool          // accepted; Down removes every recorded container anyway
	Timeout       time.Duration // -t: stop grace; 0: each container's stop_grace_period
	// Images is --rmi: RemoveImagesLocal or RemoveImagesAll removes the project's images
	// after its containers (see downImages); "" keeps them.
	Images string
	// Project is the compose project when its file could be loaded (nil otherwise):
	// its pre_stop hooks run before each container is stopped, and --rmi also covers
	// services that have no container.
	Project  *compose.Project
	Progress io.Writer
}

// Down stops and removes everything project name recorded: containers (in reverse start
// order, each level in parallel), their network namespaces and published ports, the
// supervisor and its DNS listeners, the networks and their nftables rules, the state,
// the containers' anonymous volumes (with or without Volumes: nothing could reach them
// again), and with Volumes the named volumes, those recorded and those labelled with the
// project (so a `down -v` after a plain `down` still finds them). It works without the
// compose file and after a crash of anything; a project never brought up is success. A state file that cannot be read is
// named on Progress, and what the engine's and the network driver's labels show is
// removed instead (recoverState); on a full disk its own state writes are best effort.
// A recorded volume name that is not one path element (state written before names were
// checked) is left alone: everything else is removed and the error, wrapping
// ErrInvalid, names it.
func Down(ctx context.Context, cfg Config, name string, opts DownOptions) error {
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if err := CheckRemoveImages(opts.Images); err != nil {
		return err
	}
	if _, err := cfg.LoadState(name); errors.Is(err, ErrNotFound) {
		if err := cfg.removeStateless(name); err != nil || !opts.Volumes {
			return err
		}
		return cfg.removeVolumes(name, nil, opts.Progress)
	} else if err != nil && !errors.Is(err, engine.ErrBadState) {
		return err
	}
	unlock, err := cfg.lockProject(name)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := cfg.loadOrRecoverState(name, opts.Progress)
	if err != nil {
		return err
	}
	nd, err := cfg.netdriver()
	if err != nil {
		return err
	}
	r := &run{cfg: cfg, p: opts.Project, eng: cfg.engine(), nd: nd, out: opts.Progress, st: st, tearingDown: true}
	var images []string
	if opts.Images != "" {
		images = downImages(st, opts.Project, opts.Images)
	}
	cfg.client(name).Do(reqShutdown, nil) // none answering is fine: stray ones are killed next
	// The scan for strays reads every process's command line (about 2 ms): it runs while
	// the containers stop, as a stray would restart one only after a back-off of 100 ms.
	strays := make(chan struct{})
	go func() { cfg.killStraySupervisors(name); close(strays) }()
	defer func() { <-strays }()
	levels := stopOrder(st)
	for i := len(levels) - 1; i >= 0; i-- {
		if err := r.removeLevel(ctx, levels[i], opts.Timeout); err != nil {
			r.save() // without those removed: removeContainer leaves the saves to Down
			return err
		}
	}
	// Other projects' supervisors forget these containers on the networks they share,
	// reading the state saved without them (once: removeContainer leaves it to Down).
	r.save() // best effort while tearing down
	supervisor.NotifyPeers(cfg.paths(), st)
	for _, id := range r.netnsLeft { // their removal could not be recorded: a full disk
		if err := nd.DeleteNetns(id); err != nil {
			return fmt.Errorf("remove network namespace of container %s: %w", id, err)
		}
	}
	if err := apply.RemoveVolumeDirs(cfg.paths(), st.HandedOver); err != nil { // left by a crashed recreation
		return err
	}
	for _, n := range sortedKeys(st.Networks) {
		ns := st.Networks[n]
		if ns.External {
			continue
		}
		if err := nd.DeleteNetwork(ctx, ns.Name); err != nil {
			return fmt.Errorf("remove network %q: %w", ns.Name, err)
		}
		r.printf(" Network %s  Removed\n", ns.Name)
	}
	var refused error
	if opts.Volumes {
		refused = cfg.removeVolumes(name, st.Volumes, opts.Progress)
		if refused != nil && !errors.Is(refused, ErrInvalid) {
			return refused
		}
	}
	if err := r.removeImages(images); err != nil {
		return err
	}
	if err := cfg.removeProjectDirs(name); err != nil {
		return err
	}
	if left, err := r.eng.List(); err == nil && len(left) == 0 {
		engine.RemoveCgroupParent(cfg.CgroupParent)
	}
	return refused
}

// loadOrRecoverState is LoadState, or, when the state file cannot be read, the state
// recoverState rebuilds; Progress is told which file was unreadable.
func (cfg Config) loadOrRecoverState(name string, progress io.Writer) (*State, error) {
	st, err := cfg.LoadState(name)
	if !errors.Is(err, engine.ErrBadState) {
		return st, err
	}
	fmt.Fprintf(progress, " Project %s  %v; removing what can be found\n", name, err)
	return cfg.recoverState(name)
}

// removeStateless removes what an up killed before it saved any state leaves: the
// project dir with only its lock, and a supervisor it may have started. It takes the
// lock first, so an up still running is waited for, not disturbed.
func (cfg Config) removeStateless(name string) error {
	dir, err := cfg.projectDir(name)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	unlock, err := cfg.lockProject(name)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := cfg.LoadState(name); !errors.Is(err, ErrNotFound) {
		return err // an up saved state meanwhile: down again removes it
	}
	cfg.killStraySupervisors(name)
	return cfg.removeProjectDirs(name)
}

// stopOrder is the recorded start order, with containers of services it does not name
// (orphans) in a first level of their own so they stop last.
func stopOrder(st *State) [][]string {
	known := map[string]bool{}
	for _, l := range st.Levels {
		for _, s := range l {
			known[s] = true
		}
	}
	var orphans []string
	for _, c := range st.Containers {
		if !known[c.Service] {
			known[c.Service] = true
			orphans = append(orphans, c.Service)
		}
	}
	return append([][]string{orphans}, st.Levels...)
}

func (r *run) removeLevel(ctx context.Context, level []string, timeout time.Duration) error {
	in := map[string]bool{}
	for _, s := range level {
		in[s] = true
	}
	var ctrs []*ContainerState
	for _, c := range r.st.Containers {
		if in[c.Service] {
			ctrs = append(ctrs, c)
		}
	}
	return r.eachContainer(ctrs, func(c *ContainerState) error { return r.removeContainer(ctx, c, timeout) })
}

// removeVolumes removes project name's named volumes: those its state records
// (recorded) and those labelled with it (made by an up whose state a plain down then
// removed). A recorded name that is not one path element is left alone and named in
// the error, wrapping ErrInvalid, after the others are removed.
func (cfg Config) removeVolumes(name string, recorded map[string]string, progress io.Writer) error {
	labelled, err := cfg.paths().VolumesLabelled(LabelProject, name)
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for _, v := range recorded {
		names[v] = true
	}
	for _, v := range labelled {
		names[v] = true
	}
	var refused []error // names that lead outside the root: left alone, reported last
	for _, v := range sortedKeys(names) {
		err := cfg.removeVolume(v)
		if errors.Is(err, ErrInvalid) {
			refused = append(refused, fmt.Errorf("volume %q not removed: %w", v, err))
			continue
		}
		if err != nil {
			return fmt.Errorf("remove volume %q: %w", v, err)
		}
		fmt.Fprintf(progress, " Volume %s  Removed\n", v)
	}
	return errors.Join(refused...)
}
