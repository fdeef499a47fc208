package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"
)

// DownOptions configure Down, as `berth down`'s flags.
type DownOptions struct {
	Volumes       bool          // -v: remove named volumes too
	RemoveOrphans bool          // accepted; Down removes every recorded container anyway
	Timeout       time.Duration // -t: stop grace; 0: each container's stop_grace_period
	Progress      io.Writer
}

// Down stops and removes everything project name recorded: containers (in reverse start
// order, each level in parallel), their network namespaces and published ports, the
// supervisor and its DNS listeners, the networks and their nftables rules, the state, and
// with Volumes the named volumes. It works without the compose file and after a crash of
// anything; a project never brought up is success.
func Down(ctx context.Context, cfg Config, name string, opts DownOptions) error {
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if _, err := cfg.LoadState(name); errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	unlock, err := cfg.lockProject(name)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := cfg.LoadState(name)
	if err != nil {
		return err
	}
	nd, err := cfg.netdriver()
	if err != nil {
		return err
	}
	r := &run{cfg: cfg, eng: cfg.engine(), nd: nd, out: opts.Progress, st: st}
	if cfg.supervisorAlive(name) {
		cfg.client(name).do("POST", "/shutdown", nil)
	}
	for i := len(stopOrder(st)) - 1; i >= 0; i-- {
		if err := r.removeLevel(ctx, stopOrder(st)[i], opts.Timeout); err != nil {
			return err
		}
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
	if opts.Volumes {
		for _, v := range sortedKeys(st.Volumes) {
			if err := os.RemoveAll(filepath.Dir(cfg.VolumeDir(st.Volumes[v]))); err != nil {
				return fmt.Errorf("remove volume %q: %w", st.Volumes[v], err)
			}
			r.printf(" Volume %s  Removed\n", st.Volumes[v])
		}
	}
	if err := os.RemoveAll(cfg.projectDir(name)); err != nil {
		return fmt.Errorf("remove state of project %q: %w", name, err)
	}
	os.RemoveAll(cfg.runDir(name))
	if left, err := r.eng.List(); err == nil && len(left) == 0 {
		engine.RemoveCgroupParent(cfg.CgroupParent)
	}
	return nil
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
	var wg sync.WaitGroup
	errs := make([]error, len(ctrs))
	for i, c := range ctrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.removeContainer(ctx, c, timeout)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
