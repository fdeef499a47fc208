package main

import (
	"io"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newPullCommand(g *globalOptions) *cobra.Command {
	opts := project.PullOptions{}
	cmd := &cobra.Command{
		Use:   "pull [SERVICE...]",
		Short: "Pull service images",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := loadProject(cmd, g, &configOptions{}, args)
			if err != nil {
				return err
			}
			cfg, err := projectConfig(g)
			if err != nil {
				return err
			}
			po := opts
			po.Services, po.Progress, po.DryRun = args, g.progressOut(cmd), g.display.dryRun
			if po.Quiet {
				po.Progress = io.Discard
			}
			return project.Pull(cmd.Context(), cfg, p, po)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.IgnoreFailures, "ignore-pull-failures", false, "Pull what it can and ignore images with pull failures")
	f.BoolVar(&opts.IgnoreBuildable, "ignore-buildable", false, "Ignore images that can be built")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "Pull without printing progress information")
	f.BoolVar(&opts.IncludeDeps, "include-deps", false, "Also pull services declared as dependencies")
	f.StringVar(&opts.Policy, "policy", "", `Apply pull policy ("missing"|"always")`)
	return cmd
}
