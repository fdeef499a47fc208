package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project/internal/apply"
	"github.com/berth-dev/berth/project/internal/plan"
)

// UpOptions configure Up, as `berth up`'s flags.
type UpOptions struct {
	PlanOptions
	Pull        string        // missing (default), always, never
	Build       bool          // build every selected service with a build section first (--build)
	NoBuild     bool          // never build; a missing image is an error (--no-build)
	QuietPull   bool          // no registry layer progress; the image's Pulling and Pulled lines stay
	QuietBuild  bool          // no builder output; the image's Building and Built lines stay
	Timeout     time.Duration // stop grace for recreated containers; 0: the service's
	NoStart     bool          // create but do not start
	ConfigFiles []string      // recorded in state and labels
	Progress    io.Writer     // Compose-style status lines; nil: none
	// RenewAnonVolumes gives recreated containers fresh anonymous volumes instead of
	// those of the containers they replace, which are removed (-V).
	RenewAnonVolumes bool
	// IgnoreOrphans silences the warning about containers of services the project no
	// longer declares (COMPOSE_IGNORE_ORPHANS); RemoveOrphans removes them instead.
	IgnoreOrphans bool
	Warnings      io.Writer // the orphan warning; nil: Progress
	// HookOutput, when set, gets each output line of the hooks Up runs (pre_start,
	// post_start) with Compose's source ("web pre_start[0] ->", "web-1 ->"); it must
	// be safe for concurrent use.
	HookOutput func(service, source, line string)
}

// Up brings project p to its wanted state: networks, volumes and containers created and
// started level by level (independent services in parallel), honouring depends_on
// conditions. Everything is validated first (supported fields, images, name and host
// port conflicts): on such an error nothing is created. Images are had first, as
// Compose does: a service with build: is built when its image is missing (or always
// with Build, never with NoBuild), others are pulled as Pull allows; a container whose
// image ID changed is recreated. A failure later leaves state
// that Down removes completely. Up is idempotent: unchanged containers are kept.
func Up(ctx context.Context, cfg Config, p *compose.Project, opts UpOptions) (Plan, error) {
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if !opts.NoStart {
		cfg.engine().Prewarm() // while the project is checked and its resources made
	}
	services := opts.Services
	if !opts.NoDeps {
		services = p.Closure(opts.Services)
	}
	if err := cfg.checkServices(p, services); err != nil {
		return nil, err
	}
	unlock, err := cfg.lockProject(p.Name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	r, plan, err := cfg.prepareUp(ctx, p, opts)
	if err != nil {
		cfg.removeIfStateless(p.Name)
		return plan, err
	}
	return plan, r.execute(ctx, plan, opts)
}

// prepareUp checks everything that can be checked before creating anything and returns
// the plan.
func (cfg Config) prepareUp(ctx context.Context, p *compose.Project, opts UpOptions) (*run, Plan, error) {
	st, err := cfg.stateFor(p, opts.ConfigFiles)
	if err != nil {
		return nil, nil, err
	}
	st.ConfigFiles = opts.ConfigFiles
	images, err := cfg.resolveImages(ctx, p, planServices(p, opts.PlanOptions),
		imagePolicy{Pull: opts.Pull, Build: opts.Build, NoBuild: opts.NoBuild, QuietPull: opts.QuietPull, QuietBuild: opts.QuietBuild},
		opts.Progress)
	if err != nil {
		return nil, nil, err
	}
	ids := map[string]string{}
	for name, img := range images {
		ids[name] = img.img.ID
	}
	plan, err := cfg.planWith(p, st, ids, opts.PlanOptions)
	if err != nil {
		return nil, nil, err
	}
	if !opts.RemoveOrphans && !opts.IgnoreOrphans {
		warnOrphans(firstWriter(opts.Warnings, opts.Progress), p, st)
	}
	if err := cfg.checkPlan(p, plan); err != nil {
		return nil, plan, err
	}
	nd, err := cfg.netdriver()
	if err != nil {
		return nil, plan, err
	}
	hookImages, err := cfg.resolveHookImages(ctx, p, planServices(p, opts.PlanOptions),
		imagePolicy{Pull: opts.Pull, QuietPull: opts.QuietPull}, opts.Progress)
	if err != nil {
		return nil, plan, err
	}
	return &run{cfg: cfg, p: p, eng: cfg.engine(), nd: nd, out: opts.Progress, st: st, images: images,
		hookImages: hookImages, hookOut: opts.HookOutput}, plan, nil
}

// warnOrphans prints Compose's warning when st records containers of services p does
// not declare.
func warnOrphans(w io.Writer, p *compose.Project, st *State) {
	var names []string
	for _, c := range plan.Orphans(p, st) {
		names = append(names, c.Name)
	}
	if len(names) > 0 {
		fmt.Fprintf(w, "warning: Found orphan containers (%s) for this project. If you removed or renamed this service "+
			"in your compose file, you can run this command with the --remove-orphans flag to clean it up.\n", strings.Join(names, ", "))
	}
}

func firstWriter(w ...io.Writer) io.Writer {
	for _, x := range w {
		if x != nil {
			return x
		}
	}
	return io.Discard
}

// stateFor returns the recorded state of p, or a new one recording files when it was
// never brought up. A project of that name in another directory is ErrExists.
func (cfg Config) stateFor(p *compose.Project, files []string) (*State, error) {
	st, err := cfg.LoadState(p.Name)
	if errors.Is(err, ErrNotFound) {
		return &State{Name: p.Name, WorkingDir: p.WorkingDir, ConfigFiles: files}, nil
	}
	if err != nil {
		return nil, err
	}
	if st.WorkingDir != p.WorkingDir {
		return nil, fmt.Errorf("project name %q is already used by %s (this one is in %s): choose another with -p: %w",
			p.Name, st.WorkingDir, p.WorkingDir, ErrExists)
	}
	return st, nil
}

// removeIfStateless removes the project dir when no state was saved in it: a command
// that failed before saving any leaves nothing behind, not even its lock.
func (cfg Config) removeIfStateless(name string) {
	if _, err := cfg.LoadState(name); errors.Is(err, ErrNotFound) {
		if dir, err := cfg.projectDir(name); err == nil {
			os.RemoveAll(dir)
		}
	}
}

// checkExternal fails when an external volume a planned container uses does not exist.
func checkExternal(cfg Config, p *compose.Project, plan Plan) error {
	for _, a := range plan {
		if a.Kind != ActCreate && a.Kind != ActRecreate {
			continue
		}
		for _, v := range p.Services[a.Service].Volumes {
			if v.Type != "volume" || v.Source == "" || !p.Volumes[v.Source].External {
				continue
			}
			if !cfg.volumeExists(volumeName(p, v.Source)) {
				return fmt.Errorf("%s: external volume %q not found: %w", fieldAt(p, "volumes."+v.Source+".external"), volumeName(p, v.Source), ErrNotFound)
			}
		}
	}
	return nil
}

func (r *run) execute(ctx context.Context, plan Plan, opts UpOptions) error {
	r.st.Levels = r.p.StartLevels()
	if err := r.save(); err != nil {
		return err
	}
	// The supervisor starts now and is waited for before the first container: its start
	// overlaps the removals and the making of networks and volumes. It syncs with the
	// state again as containers start.
	supervisorListening := r.cfg.startSupervisor(r.p.Name)
	for _, a := range plan {
		if a.Kind == ActRemove {
			if err := r.removeContainer(ctx, r.st.Container(a.Service, a.Number), opts.Timeout); err != nil {
				return err
			}
		}
	}
	if err := apply.Networks(ctx, r.target(), r.nd, plan); err != nil {
		return err
	}
	if err := apply.Volumes(r.target(), plan); err != nil {
		return err
	}
	var err error
	if r.sup, err = supervisorListening(); err != nil {
		return err
	}
	for _, level := range r.st.Levels {
		if err := r.upLevel(ctx, level, plan, r.images, opts); err != nil {
			return err
		}
	}
	return nil
}

// upLevel creates and starts the services of one level in parallel, each after its
// dependencies met their conditions.
func (r *run) upLevel(ctx context.Context, level []string, plan Plan, images map[string]resolvedImage, opts UpOptions) error {
	var wg sync.WaitGroup
	errs := make([]error, len(level))
	for i, name := range level {
		var acts []Action
		for _, a := range plan {
			if a.Service == name && a.Kind != ActRemove {
				acts = append(acts, a)
			}
		}
		if len(acts) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !opts.NoStart {
				if errs[i] = r.waitDependencies(ctx, name); errs[i] != nil {
					return
				}
			}
			preStart := preStartDue(r.p.Services[name], acts)
			for _, a := range acts {
				errs[i] = r.slots().do(func() error { return r.applyContainer(ctx, a, images[name], opts, &preStart) })
				if errs[i] != nil {
					return
				}
			}
			if preStart && opts.NoStart { // create: Start runs them
				errs[i] = r.preparePreStartOf(ctx, name)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// applyContainer carries out a; *preStart says the service's pre_start hooks are still
// to run before the first container starts (they then run, and it is cleared).
func (r *run) applyContainer(ctx context.Context, a Action, img resolvedImage, opts UpOptions, preStart *bool) error {
	var anon map[string]string
	switch a.Kind {
	case ActKeep:
		r.printf(" Container %s  Running\n", a.Name)
		return nil
	case ActStart:
		if opts.NoStart { // create: a stopped container stays as it is
			return nil
		}
		return r.startAfterPreStart(ctx, r.st.Container(a.Service, a.Number), preStart)
	case ActRecreate:
		r.mu.Lock()
		old := r.st.Container(a.Service, a.Number)
		r.mu.Unlock()
		var err error
		if anon, err = apply.HandOver(r.target(), &r.mu, old, r.p.Services[a.Service], img.img.Config.Config, opts.RenewAnonVolumes); err != nil {
			return err
		}
		if err := r.removeContainer(ctx, old, opts.Timeout); err != nil {
			return err
		}
	}
	r.printf(" Container %s  Creating\n", a.Name)
	c, err := r.createContainer(ctx, a, img, opts.ConfigFiles, anon)
	if err != nil {
		return err
	}
	r.printf(" Container %s  Created\n", a.Name)
	if opts.NoStart {
		return nil
	}
	return r.startAfterPreStart(ctx, c, preStart)
}

// startAfterPreStart runs the pre_start hooks of c's service first when *preStart,
// c lending its volumes, then starts c.
func (r *run) startAfterPreStart(ctx context.Context, c *ContainerState, preStart *bool) error {
	if *preStart {
		*preStart = false
		svc := r.p.Services[c.Service]
		if err := r.preparePreStart(ctx, svc, c); err != nil {
			return err
		}
		if err := r.runPreStart(ctx, svc); err != nil {
			return err
		}
	}
	return r.startContainer(c)
}

func (r *run) startContainer(c *ContainerState) error {
	if err := r.markUserStop(c, false); err != nil {
		return fmt.Errorf("start %s: %w", describe(c), err)
	}
	if err := r.sup.Do(reqSync, nil); err != nil {
		return fmt.Errorf("start %s: %w", describe(c), err)
	}
	r.printf(" Container %s  Starting\n", c.Name)
	if err := r.startEngine(c); err != nil {
		return fmt.Errorf("start %s: %w", describe(c), err)
	}
	if err := r.postStart(c); err != nil {
		return err
	}
	r.printf(" Container %s  Started\n", c.Name)
	return nil
}
