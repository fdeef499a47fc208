package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"syscall"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/apply"
	"github.com/berth-dev/berth/project/internal/spec"
)

// LabelSlug is the random ID Compose gives a one-off container (its name ends with the
// first 12 hex digits).
const LabelSlug = "com.docker.compose.slug"

// RunOptions configure Run, as `berth run`'s flags.
type RunOptions struct {
	Service string
	Cmd     []string // empty: the service's command
	// Entrypoint overrides the service's (nil: keep it); it also drops the service's
	// command, as Compose does, so only Cmd follows it.
	Entrypoint   []string
	Name         string   // container name; empty: <project>-<service>-run-<12 hex>
	Env          []string // KEY=VAL or KEY (from the project environment), over the service's
	Volumes      []string // SOURCE:TARGET[:ro]
	Publish      []string // [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]
	ServicePorts bool     // publish the service's own ports too
	NoDeps       bool
	Remove       bool // remove the container once it exited (not with Detach)
	Detach       bool
	User         string
	WorkingDir   string
	Pull         string
	Labels       map[string]string // added to the service's, over them (-l)
	CapAdd       []string          // added to the service's cap_add, out of its cap_drop
	CapDrop      []string          // added to the service's cap_drop, out of its cap_add
	// UseAliases gives the container the service's name and network aliases in DNS,
	// as the service's replicas have; otherwise only its own names resolve to it.
	UseAliases bool
	// RemoveOrphans removes the containers of services the project no longer declares
	// while the dependencies are brought up (not with NoDeps), as Up's.
	RemoveOrphans bool
	IgnoreOrphans bool // no warning about orphans (COMPOSE_IGNORE_ORPHANS)
	Build         bool // build the images of the service and its dependencies first (--build)
	ConfigFiles   []string
	Progress      io.Writer // dependencies' status lines; nil: none
	// Stdin, while attached and Interactive, feeds the container's stdin until it ends
	// (then the container reads EOF); when it is a terminal and not NoTTY the container
	// gets a terminal of its own (see attachStdin). Without Interactive, or nil, the
	// container's stdin is /dev/null.
	Stdin       io.Reader
	Interactive bool // -i: keep stdin open
	NoTTY       bool // -T: no terminal, even when Stdin is one
	// Stdout and Stderr receive the container's output while attached.
	Stdout, Stderr io.Writer
	// ForwardSignals catches SIGINT, SIGTERM, SIGHUP and SIGQUIT for the process while
	// attached and sends them to the container instead.
	ForwardSignals bool
}

// RunResult is the one-off container Run made and, when attached, how it ended.
type RunResult struct {
	Name     string
	ID       string
	ExitCode int
}

// Run starts a one-off container of the service (labelled com.docker.compose.oneoff=True,
// recorded in the project's state so that Down removes it, never counted as a replica
// nor as an orphan by Up), after bringing up its dependencies as Up does unless NoDeps
// and waiting for their depends_on conditions. Without Detach it streams the output
// until the container exits and returns its exit code; with Remove it then removes the
// container and its network namespace. An unknown service yields an error wrapping
// ErrNotFound.
func Run(ctx context.Context, cfg Config, p *compose.Project, opts RunOptions) (RunResult, error) {
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	cfg.engine().Prewarm() // while the project is checked and the container made
	svc, ok := p.Services[opts.Service]
	if !ok {
		return RunResult{}, fmt.Errorf("no such service: %s: %w", opts.Service, ErrNotFound)
	}
	one, err := oneoffService(p, svc, opts)
	if err != nil {
		return RunResult{}, err
	}
	if err := cfg.checkService(p, one); err != nil {
		return RunResult{}, err
	}
	if deps := dependencies(p, opts.Service); !opts.NoDeps && len(deps) > 0 {
		_, err := Up(ctx, cfg, p, UpOptions{PlanOptions: PlanOptions{Services: deps, RemoveOrphans: opts.RemoveOrphans},
			IgnoreOrphans: opts.IgnoreOrphans, Warnings: opts.Stderr, Pull: opts.Pull,
			Build: opts.Build, ConfigFiles: opts.ConfigFiles, Progress: opts.Progress})
		if err != nil {
			return RunResult{}, err
		}
	}
	r, c, err := cfg.startOneoff(ctx, p, one, opts)
	if c == nil {
		return RunResult{}, err
	}
	res := RunResult{Name: c.Name, ID: c.ID}
	if err == nil && opts.Detach {
		return res, r.oneoffPostStart(c, one)
	}
	if err == nil {
		hooks := make(chan error, 1)
		go func() { hooks <- r.oneoffPostStart(c, one) }() // while attached, as Compose
		res.ExitCode, err = r.attachOneoff(c, opts)
		// As Compose's run: a non-zero exit code wins over the hooks' error.
		if herr := <-hooks; err == nil && res.ExitCode == 0 {
			err = herr
		}
	}
	if opts.Remove {
		err = errors.Join(err, cfg.removeOneoff(ctx, p.Name, c.ID))
	}
	return res, err
}

// dependencies is every service name transitively depends on, without name itself.
func dependencies(p *compose.Project, name string) []string {
	var out []string
	for _, s := range p.Closure([]string{name}) {
		if s != name {
			out = append(out, s)
		}
	}
	return out
}

// startOneoff, under the project's lock, records and makes what the one-off container
// needs (networks, volumes, supervisor), creates it, waits for its dependencies and
// starts it. A non-nil container is recorded in state, also when an error follows.
func (cfg Config) startOneoff(ctx context.Context, p *compose.Project, one compose.ServiceConfig, opts RunOptions) (*run, *ContainerState, error) {
	unlock, err := cfg.lockProject(p.Name)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	r, name, img, err := cfg.prepareOneoff(ctx, p, one, opts)
	if err != nil {
		cfg.removeIfStateless(p.Name)
		return nil, nil, err
	}
	c, err := r.createOneoff(ctx, one, name, img, opts)
	if c == nil || err != nil {
		return r, c, err
	}
	if !opts.NoDeps {
		if err := r.waitDependencies(ctx, one.Name); err != nil {
			return r, c, err
		}
	}
	// The supervisor learns of the container (its DNS records: its own names only, which
	// its /etc/hosts has too) while it starts.
	synced := make(chan error, 1)
	go func() { synced <- r.sup.Do(reqSync, nil) }()
	err = r.eng.Start(c.ID)
	if serr := <-synced; err == nil && serr != nil {
		err = serr
	}
	if err != nil {
		return r, c, fmt.Errorf("start %s: %w", describe(c), err)
	}
	return r, c, nil
}

// prepareOneoff checks the name, host ports and images, then ensures the networks,
// volumes, bind sources and supervisor of the one-off container.
func (cfg Config) prepareOneoff(ctx context.Context, p *compose.Project, one compose.ServiceConfig, opts RunOptions) (*run, string, resolvedImage, error) {
	var img resolvedImage
	st, err := cfg.stateFor(p, opts.ConfigFiles)
	if err != nil {
		return nil, "", img, err
	}
	name := oneoffName(p.Name, one.Name, opts.Name)
	for _, c := range st.Containers {
		if c.Name == name {
			return nil, "", img, fmt.Errorf("container name %q is already in use by container %s: %w", name, c.ID[:12], ErrExists)
		}
	}
	p1 := *p
	p1.Services = maps.Clone(p.Services)
	p1.Services[one.Name] = one
	services := []string{one.Name}
	images, err := cfg.resolveImages(ctx, &p1, services, imagePolicy{Pull: opts.Pull, Build: opts.Build}, opts.Progress)
	if err != nil {
		return nil, "", img, err
	}
	plan, err := cfg.planWith(&p1, st, map[string]string{one.Name: images[one.Name].img.ID},
		PlanOptions{Services: services, NoDeps: true, Oneoff: name})
	if err != nil {
		return nil, "", img, err
	}
	if err := cfg.checkPlan(&p1, plan); err != nil {
		return nil, "", img, err
	}
	nd, err := cfg.netdriver()
	if err != nil {
		return nil, "", img, err
	}
	r := &run{cfg: cfg, p: &p1, eng: cfg.engine(), nd: nd, out: opts.Progress, st: st}
	if err := r.ensureOneoffResources(ctx, plan, one); err != nil {
		return nil, "", img, err
	}
	return r, name, images[one.Name], nil
}

func (r *run) ensureOneoffResources(ctx context.Context, plan Plan, one compose.ServiceConfig) error {
	supervisorListening := r.cfg.startSupervisor(r.p.Name) // its start overlaps the rest
	if err := apply.Networks(ctx, r.target(), r.nd, plan); err != nil {
		return err
	}
	if err := apply.Volumes(r.target(), plan); err != nil {
		return err
	}
	if err := ensureBindSources(one); err != nil {
		return err
	}
	sup, err := supervisorListening()
	r.sup = sup
	return err
}

// oneoffName is name if given, else Compose's <project>-<service>-run-<12 hex>.
func oneoffName(project, service, name string) string {
	if name != "" {
		return name
	}
	return fmt.Sprintf("%s-%s-run-%s", project, service, newID()[:12])
}

// createOneoff records, then makes, the one-off container (not started); with a
// terminal, its pty starts with the size of the user's (runConsoleSize).
func (r *run) createOneoff(ctx context.Context, one compose.ServiceConfig, name string, img resolvedImage, opts RunOptions) (*ContainerState, error) {
	hash, err := r.p.ServiceHash(one.Name)
	if err != nil {
		return nil, err
	}
	c := newContainerState(r.p, one, name, 0, hash, img, opts.ConfigFiles)
	delete(c.Labels, LabelNumber) // one-off containers are not indexed
	c.Labels[LabelOneoff], c.Labels[LabelSlug] = "True", c.ID
	c.NetAliases = spec.NetAliases(r.p, one, opts.UseAliases)
	r.mu.Lock()
	c.Links = spec.Links(r.p.Name, one, -1, r.containerNames) // Compose numbers a one-off -1
	r.st.Containers = append(r.st.Containers, c)
	r.mu.Unlock()
	if err := r.save(); err != nil {
		return nil, err
	}
	res, err := r.ensureResources(ctx, c, one, img)
	if err != nil {
		return c, fmt.Errorf("create %s: %w", describe(c), err)
	}
	spec, err := containerSpec(r.cfg, r.p, c, one, img, res)
	if err != nil {
		return c, fmt.Errorf("create %s: %w", describe(c), err)
	}
	if spec.Tty {
		spec.ConsoleSize = runConsoleSize(opts)
	}
	// Docker attaches an attached run's output whatever its log driver; berth's
	// attach reads the log, so an attached run keeps one (logging driver none).
	spec.NoLog = spec.NoLog && opts.Detach
	if err := r.eng.Create(spec); err != nil {
		return c, fmt.Errorf("create %s: %w", describe(c), err)
	}
	return c, r.save()
}

// attachOneoff copies Stdin into the container (when it is open) and the container's
// output (from its log, from the start, so nothing is lost) to Stdout and Stderr until
// it exits, forwarding Signals, and returns its exit code.
func (r *run) attachOneoff(c *ContainerState, opts RunOptions) (int, error) {
	if runStdinOpen(opts) {
		detach, err := r.attachStdin(c, opts, nil)
		if err != nil {
			return 0, err
		}
		defer detach()
	}
	if opts.ForwardSignals {
		sigs := make(chan os.Signal, 8)
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
		defer func() {
			signal.Stop(sigs)
			close(sigs)
		}()
		go func() {
			for sig := range sigs {
				r.eng.Kill(c.ID, sig.(syscall.Signal))
			}
		}()
	}
	err := r.eng.Logs(c.ID, engine.LogOptions{Follow: true}, func(e engine.LogEntry) error {
		w := opts.Stdout
		if e.Stream == "stderr" {
			w = opts.Stderr
		}
		if w == nil {
			return nil
		}
		_, err := io.WriteString(w, e.Log)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("output of %s: %w", describe(c), err)
	}
	es, err := r.eng.Wait(c.ID)
	if err != nil {
		return 0, fmt.Errorf("wait for %s: %w", describe(c), err)
	}
	return es.ExitCode, nil
}

// removeOneoff removes the one-off container id and its network namespace, and drops
// its DNS records; one already gone (Down ran meanwhile) is success.
func (cfg Config) removeOneoff(ctx context.Context, project, id string) error {
	unlock, err := cfg.lockProject(project)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := cfg.LoadState(project)
	if isNotFound(err) {
		if dir, err := cfg.projectDir(project); err == nil {
			os.RemoveAll(dir) // Down removed the project meanwhile: drop the lock dir
		}
		return nil
	} else if err != nil {
		return err
	}
	c := st.ContainerByID(id)
	if c == nil {
		return nil
	}
	nd, err := cfg.netdriver()
	if err != nil {
		return err
	}
	r := &run{cfg: cfg, eng: cfg.engine(), nd: nd, out: io.Discard, st: st}
	if err := r.removeContainer(ctx, c, 0); err != nil {
		return err
	}
	return cfg.syncSupervisor(project)
}
