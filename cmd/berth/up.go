package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type upOptions struct {
	detach        bool
	forceRecreate bool
	recreateDeps  bool
	noRecreate    bool
	noDeps        bool
	noStart       bool
	removeOrphans bool
	pull          string
	build         bool
	noBuild       bool
	timeout       int
	scale         []string
	renewAnon     bool
	quietPull     bool
	quietBuild    bool
	yes           bool
	menu          bool

	attach             []string
	noAttach           []string
	attachDependencies bool
	noLogPrefix        bool
	timestamps         bool
	noColor            bool
	abortOnExit        bool
	abortOnFailure     bool
	exitCodeFrom       string
	wait               bool
	waitTimeout        int
	watch              bool
}

func newUpCommand(g *globalOptions) *cobra.Command {
	opts := &upOptions{}
	cmd := &cobra.Command{
		Use:   "up [SERVICE...]",
		Short: "Create and start containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUp(cmd, g, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.detach, "detach", "d", false, "Detached mode: run containers in the background")
	f.BoolVar(&opts.forceRecreate, "force-recreate", false, "Recreate containers even if their configuration has not changed")
	f.BoolVar(&opts.recreateDeps, "always-recreate-deps", false, "Recreate dependent containers. Incompatible with --no-recreate.")
	f.BoolVar(&opts.noRecreate, "no-recreate", false, "Do not recreate containers whose configuration changed")
	f.BoolVarP(&opts.renewAnon, "renew-anon-volumes", "V", false, "Recreate anonymous volumes instead of retrieving data from the previous containers")
	f.BoolVar(&opts.noDeps, "no-deps", false, "Do not start linked services")
	f.BoolVar(&opts.noStart, "no-start", false, "Do not start the services after creating them")
	f.BoolVar(&opts.removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the compose file")
	f.StringVar(&opts.pull, "pull", "", "Pull image before running: always, missing or never")
	f.BoolVar(&opts.build, "build", false, "Build images before starting containers")
	f.BoolVar(&opts.noBuild, "no-build", false, "Don't build an image, even if it's missing")
	f.IntVarP(&opts.timeout, "timeout", "t", 0, "Shutdown timeout in seconds for recreated containers")
	f.StringArrayVar(&opts.scale, "scale", nil, "Scale SERVICE to NUM instances (SERVICE=NUM, repeatable)")
	f.StringArrayVar(&opts.attach, "attach", nil, "Restrict attaching to the specified services (repeatable)")
	f.StringArrayVar(&opts.noAttach, "no-attach", nil, "Do not attach (stream logs) to the specified services (repeatable)")
	f.BoolVar(&opts.attachDependencies, "attach-dependencies", false, "Also attach to the dependencies of the named services")
	f.BoolVar(&opts.noLogPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	f.BoolVar(&opts.timestamps, "timestamps", false, "Show timestamps")
	f.BoolVar(&opts.noColor, "no-color", false, "Produce monochrome output")
	f.BoolVar(&opts.abortOnExit, "abort-on-container-exit", false, "Stop all containers if any container was stopped")
	f.BoolVar(&opts.abortOnFailure, "abort-on-container-failure", false, "Stop all containers if any container exited with failure")
	f.StringVar(&opts.exitCodeFrom, "exit-code-from", "", "Return the exit code of the selected service container (implies --abort-on-container-exit)")
	f.BoolVar(&opts.wait, "wait", false, "Wait for services to be running|healthy (implies --detach)")
	f.IntVar(&opts.waitTimeout, "wait-timeout", 0, "Maximum duration in seconds to wait for the project to be running|healthy")
	f.BoolVarP(&opts.watch, "watch", "w", false, "Watch source code and rebuild/refresh containers when files are updated.")
	f.BoolVar(&opts.quietPull, "quiet-pull", false, "Pull without printing progress information")
	f.BoolVar(&opts.quietBuild, "quiet-build", false, "Suppress the build output")
	f.BoolVar(&opts.menu, "menu", false, "Accepted for Compose's scripts: berth has no navigation menu (COMPOSE_MENU is ignored too)")
	f.BoolVarP(&opts.yes, "yes", "y", false, `Assume "yes" as answer to all prompts and run non-interactively (berth's up asks nothing)`)
	return cmd
}

// check rejects flag combinations Compose rejects.
func (o *upOptions) check() error {
	if o.build && o.noBuild {
		return fmt.Errorf("up: --build and --no-build are incompatible")
	}
	if o.recreateDeps && o.noRecreate {
		return fmt.Errorf("up: --always-recreate-deps and --no-recreate are incompatible")
	}
	if err := o.checkWatch(); err != nil {
		return err
	}
	abort := ""
	switch {
	case o.abortOnExit && o.abortOnFailure:
		return fmt.Errorf("up: --abort-on-container-exit and --abort-on-container-failure cannot be combined")
	case o.abortOnExit:
		abort = "--abort-on-container-exit"
	case o.abortOnFailure:
		abort = "--abort-on-container-failure"
	case o.exitCodeFrom != "":
		abort = "--exit-code-from"
	}
	if abort == "" {
		return nil
	}
	if o.wait {
		return fmt.Errorf("up: --wait and %s cannot be combined", abort)
	}
	if o.detach {
		return fmt.Errorf("up: -d and %s cannot be combined", abort)
	}
	return nil
}

func (o *upOptions) attachOptions(w io.Writer, d *displayOptions) project.AttachOptions {
	at := project.AttachOptions{Attach: o.attach, NoAttach: o.noAttach, AttachDependencies: o.attachDependencies,
		ExitCodeFrom: o.exitCodeFrom, Output: w,
		LogFormat: project.LogFormat{Color: d.color(w, o.noColor), NoPrefix: o.noLogPrefix, Timestamps: o.timestamps}}
	switch {
	case o.abortOnExit:
		at.OnExit = project.CascadeStop
	case o.abortOnFailure:
		at.OnExit = project.CascadeFail
	}
	return at
}

func runUp(cmd *cobra.Command, g *globalOptions, opts *upOptions, args []string) error {
	if err := opts.check(); err != nil {
		return err
	}
	p, err := loadProject(cmd, g, &configOptions{}, args)
	if err != nil {
		return err
	}
	printWarnings(cmd, p.Unsupported())         // what berth parses but will not do
	printWarnings(cmd, project.HostWarnings(p)) // what this host cannot do
	cfg, err := projectConfig(g)
	if err != nil {
		return err
	}
	removeOrphans, ignoreOrphans, err := orphanOptions(cmd, p, opts.removeOrphans)
	if err != nil {
		return err
	}
	scale := map[string]int{}
	for _, s := range opts.scale {
		name, n, ok := strings.Cut(s, "=")
		v, err := strconv.Atoi(n)
		if !ok || err != nil || v < 0 {
			return fmt.Errorf("up: --scale %q: want SERVICE=NUM", s)
		}
		scale[name] = v
	}
	po := project.PlanOptions{Services: args, NoDeps: opts.noDeps, ForceRecreate: opts.forceRecreate,
		AlwaysRecreateDeps: opts.recreateDeps, NoRecreate: opts.noRecreate, RemoveOrphans: removeOrphans, Scale: scale}
	if g.display.dryRun { // as Compose's --dry-run of up, but as berth's plan: what, and why
		plan, err := project.PlanUp(cmd.Context(), cfg, p, po)
		if err != nil {
			return err
		}
		fmt.Fprint(cmd.OutOrStdout(), plan.String())
		return nil
	}
	uo := project.UpOptions{PlanOptions: po, Pull: opts.pull, Build: opts.build, NoBuild: opts.noBuild,
		QuietPull: opts.quietPull, QuietBuild: opts.quietBuild,
		Timeout: time.Duration(opts.timeout) * time.Second, NoStart: opts.noStart, RenewAnonVolumes: opts.renewAnon,
		ConfigFiles: configFiles(p), Progress: project.ProgressOnce(g.progressOut(cmd)), IgnoreOrphans: ignoreOrphans}
	if opts.detach || opts.wait || opts.noStart {
		if _, err := project.Up(cmd.Context(), cfg, p, uo); err != nil || !opts.wait {
			return err
		}
		return project.WaitUp(cmd.Context(), cfg, p, project.WaitUpOptions{PlanOptions: po,
			Timeout: time.Duration(opts.waitTimeout) * time.Second, Progress: uo.Progress})
	}
	at := opts.attachOptions(cmd.OutOrStdout(), &g.display)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	at.Interrupt = sigs
	var stopWatch func() error
	if opts.watch {
		if !hasWatch(p, args) {
			return errNoWatch
		}
		at.AfterUp, stopWatch = upWatch(cmd, cfg, p, project.WatchOptions{Services: args,
			ConfigFiles: uo.ConfigFiles})
	}
	code, err := project.UpAttached(cmd.Context(), cfg, p, uo, at)
	if stopWatch != nil {
		if werr := stopWatch(); err == nil && werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	return exitWith(code) // the containers' exit code (or 130 after Ctrl-C) is berth's, as with Compose
}

// configFiles are the files the project came from, as recorded in state and labels.
func configFiles(p *compose.Project) []string {
	var files []string
	seen := map[string]bool{}
	for _, pos := range p.Positions {
		if pos.File != "" && !seen[pos.File] {
			seen[pos.File] = true
			files = append(files, pos.File)
		}
	}
	sort.Strings(files) // Positions is a map: the same project must record the same list
	return files
}

// projectConfig is the orchestrator's configuration: --root, then the environment.
func projectConfig(g *globalOptions) (project.Config, error) {
	cfg, err := project.ConfigFromEnv(stateRoot(g))
	cfg.MaxConcurrency = g.display.parallel
	return cfg, err
}

// projectTarget is the project a command acts on, by name (see projectName), and the
// orchestrator's configuration.
func projectTarget(cmd *cobra.Command, g *globalOptions) (string, project.Config, error) {
	name, err := projectName(cmd, g)
	if err != nil {
		return "", project.Config{}, err
	}
	cfg, err := projectConfig(g)
	return name, cfg, err
}

// projectName is -p, else the name the compose file gives, else $COMPOSE_PROJECT_NAME,
// so down, ps and logs work without a compose file when -p is given. As in Compose, -p and
// $COMPOSE_PROJECT_NAME must already be valid names (they are not normalized).
func projectName(cmd *cobra.Command, g *globalOptions) (string, error) {
	if g.projectName != "" {
		return g.projectName, compose.CheckProjectName(g.projectName)
	}
	p, err := loadProject(cmd, g, &configOptions{}, nil)
	if err == nil {
		return p.Name, nil
	}
	if n := os.Getenv("COMPOSE_PROJECT_NAME"); n != "" {
		return n, compose.CheckProjectName(n)
	}
	return "", err
}
