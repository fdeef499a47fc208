package main

import (
	"bytes"
	"fmt"
	"io"
	"os/signal"
	"sync"
	"syscall"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/housekeep"
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type watchOptions struct {
	noUp  bool
	quiet bool
	prune bool
}

func newWatchCommand(g *globalOptions) *cobra.Command {
	opts := &watchOptions{}
	cmd := &cobra.Command{
		Use:   "watch [SERVICE...]",
		Short: "Watch build context for service and rebuild/refresh containers when files are updated",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWatch(cmd, g, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.noUp, "no-up", false, "Do not build & start services before watching")
	f.BoolVar(&opts.quiet, "quiet", false, "hide build output")
	f.BoolVar(&opts.prune, "prune", true, "Prune dangling images on rebuild")
	return cmd
}

// runWatch is Compose's: build the watched services that have a build section, bring
// the selected services up (detached), then watch until Ctrl-C.
func runWatch(cmd *cobra.Command, g *globalOptions, opts *watchOptions, args []string) error {
	p, err := loadProject(cmd, g, &configOptions{}, args)
	if err != nil {
		return err
	}
	printWarnings(cmd, p.Unsupported())
	cfg, err := projectConfig(g)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if !opts.noUp {
		if builds := watchedBuilds(p, args); len(builds) > 0 {
			if _, err := project.Build(ctx, cfg, p, project.BuildOptions{Services: builds,
				Progress: buildProgress(cmd, opts.quiet)}); err != nil {
				return err
			}
		}
		uo := project.UpOptions{PlanOptions: project.PlanOptions{Services: args}, ConfigFiles: configFiles(p),
			Progress: project.ProgressOnce(g.progressOut(cmd))}
		if _, err := project.Up(ctx, cfg, p, uo); err != nil {
			return err
		}
	}
	wo := project.WatchOptions{Services: args, Quiet: opts.quiet,
		Log: cmd.OutOrStdout(), Warn: cmd.ErrOrStderr(), Output: cmd.OutOrStdout(), ConfigFiles: configFiles(p)}
	if opts.prune {
		wo.Rebuilt = pruneRebuilt(g, cfg)
	}
	return project.Watch(ctx, cfg, p, wo)
}

// buildProgress is where the builder's output goes: stderr, or nowhere with --quiet.
func buildProgress(cmd *cobra.Command, quiet bool) io.Writer {
	if quiet {
		return nil
	}
	return cmd.ErrOrStderr()
}

// watchedBuilds are the services (of those named, or all) with both a build and a
// develop section: Compose builds them before watching (pull_policy build).
func watchedBuilds(p *compose.Project, names []string) []string {
	if len(names) == 0 {
		for n := range p.Services {
			names = append(names, n)
		}
	}
	var out []string
	for _, n := range names {
		if s, ok := p.Services[n]; ok && s.Build != nil && s.Develop != nil {
			out = append(out, n)
		}
	}
	return out
}

// hasWatch reports whether a selected service (all when none is named) has
// develop.watch rules.
func hasWatch(p *compose.Project, names []string) bool {
	if len(names) == 0 {
		for n := range p.Services {
			names = append(names, n)
		}
	}
	for _, n := range names {
		if s, ok := p.Services[n]; ok && s.Develop != nil && len(s.Develop.Watch) > 0 {
			return true
		}
	}
	return false
}

// errNoWatch is Compose's error for --watch without develop.watch rules.
var errNoWatch = fmt.Errorf("none of the selected services is configured for watch, see https://docs.docker.com/compose/how-tos/file-watch/")

// prefixWriter writes each line with a prefix, as Compose marks watch messages
// among container output ("⦿ Watch enabled").
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	part   []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.part = append(p.part, b...)
	for {
		i := bytes.IndexByte(p.part, '\n')
		if i < 0 {
			return len(b), nil
		}
		if _, err := fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.part[:i]); err != nil {
			return 0, err
		}
		p.part = p.part[i+1:]
	}
}

// pruneRebuilt is --prune: after a rebuild, each previous image that lost its last
// name to the new one (dangling) is removed, unless a container still uses it; as in
// Compose, failures are not reported.
func pruneRebuilt(g *globalOptions, cfg project.Config) func([]string) {
	return func(previous []string) {
		store, err := openImageStore(g)
		if err != nil {
			return
		}
		hk := housekeep.New(cfg)
		for _, id := range previous {
			if img, err := store.Get(id); err == nil && len(img.RepoTags) == 0 {
				_, _ = hk.RemoveImage(img.ID, false)
			}
		}
	}
}
