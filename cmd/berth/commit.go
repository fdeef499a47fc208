package main

import (
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newCommitCommand(g *globalOptions) *cobra.Command {
	opts := project.CommitOptions{}
	cmd := &cobra.Command{
		Use:   "commit [OPTIONS] SERVICE [REPOSITORY[:TAG]]",
		Short: "Create a new image from a service container's changes",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			co := opts
			co.Service, co.Progress = args[0], g.progressOut(cmd)
			if len(args) > 1 {
				co.Reference = args[1]
			}
			_, err = project.Commit(cfg, name, co)
			return err
		},
		ValidArgsFunction: completeOneService(g),
	}
	f := cmd.Flags()
	f.IntVar(&opts.Index, "index", 0, "index of the container if service has multiple replicas.")
	f.BoolVarP(&opts.Pause, "pause", "p", true, "Pause container during commit")
	f.StringVarP(&opts.Message, "message", "m", "", "Commit message")
	f.StringVarP(&opts.Author, "author", "a", "", `Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")`)
	f.StringArrayVarP(&opts.Changes, "change", "c", nil, "Apply Dockerfile instruction to the created image")
	return cmd
}
