package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type upOptions struct {
	detach        bool
	forceRecreate bool
	noRecreate    bool
	noDeps        bool
	noStart       bool
	removeOrphans bool
	pull          string
	timeout       int
	scale         []string
	dryRun        bool
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
	f.BoolVarP(&opts.detach, "detach", "d", false, "Detached mode: run containers in the background (required for now)")
	f.BoolVar(&opts.forceRecreate, "force-recreate", false, "Recreate containers even if their configuration has not changed")
	f.BoolVar(&opts.noRecreate, "no-recreate", false, "Do not recreate containers whose configuration changed")
	f.BoolVar(&opts.noDeps, "no-deps", false, "Do not start linked services")
	f.BoolVar(&opts.noStart, "no-start", false, "Do not start the services after creating them")
	f.BoolVar(&opts.removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the compose file")
	f.StringVar(&opts.pull, "pull", "", "Pull image before running: always, missing or never")
	f.IntVarP(&opts.timeout, "timeout", "t", 0, "Shutdown timeout in seconds for recreated containers")
	f.StringArrayVar(&opts.scale, "scale", nil, "Scale SERVICE to NUM instances (SERVICE=NUM, repeatable)")
	f.BoolVar(&opts.dryRun, "dry-run", false, "Print the plan and change nothing")
	return cmd
}

func runUp(cmd *cobra.Command, g *globalOptions, opts *upOptions, args []string) error {
	if !opts.detach && !opts.dryRun {
		return fmt.Errorf("up: attached mode is not supported yet; use -d")
	}
	p, err := loadProject(cmd, g, &configOptions{}, args)
	if err != nil {
		return err
	}
	cfg, err := projectConfig(g)
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
		NoRecreate: opts.noRecreate, RemoveOrphans: opts.removeOrphans, Scale: scale}
	if opts.dryRun {
		st, _ := cfg.LoadState(p.Name)
		plan, err := project.MakePlan(p, st, nil, po)
		if err != nil {
			return err
		}
		fmt.Fprint(cmd.OutOrStdout(), plan.String())
		return nil
	}
	_, err = project.Up(cmd.Context(), cfg, p, project.UpOptions{PlanOptions: po, Pull: opts.pull,
		Timeout: time.Duration(opts.timeout) * time.Second, NoStart: opts.noStart,
		ConfigFiles: configFiles(p), Progress: cmd.ErrOrStderr()})
	return err
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
	return files
}

// projectConfig is the orchestrator's configuration: --root, then the environment.
func projectConfig(g *globalOptions) (project.Config, error) {
	return project.ConfigFromEnv(stateRoot(g))
}

// projectName is -p, else the name the compose file gives, else $COMPOSE_PROJECT_NAME,
// so down, ps and logs work without a compose file when -p is given.
func projectName(cmd *cobra.Command, g *globalOptions) (string, error) {
	if g.projectName != "" {
		return compose.NormalizeProjectName(g.projectName), nil
	}
	p, err := loadProject(cmd, g, &configOptions{}, nil)
	if err == nil {
		return p.Name, nil
	}
	if n := os.Getenv("COMPOSE_PROJECT_NAME"); n != "" {
		return compose.NormalizeProjectName(n), nil
	}
	return "", err
}
