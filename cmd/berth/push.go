package main

import (
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newPushCommand(g *globalOptions) *cobra.Command {
	opts := project.PushOptions{}
	var quiet bool
	cmd := &cobra.Command{
		Use:   "push [OPTIONS] [SERVICE...]",
		Short: "Push service images",
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
			po.Services = args
			if !quiet {
				po.Progress = g.progressOut(cmd)
			}
			return project.Push(cmd.Context(), cfg, p, po)
		},
		ValidArgsFunction: completeServices(g),
	}
	f := cmd.Flags()
	f.BoolVar(&opts.IgnoreFailures, "ignore-push-failures", false, "Push what it can and ignores images with push failures")
	f.BoolVar(&opts.IncludeDeps, "include-deps", false, "Also push images of services declared as dependencies")
	f.BoolVarP(&quiet, "quiet", "q", false, "Push without printing progress information")
	return cmd
}
