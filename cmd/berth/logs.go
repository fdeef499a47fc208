package main

import (
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newLogsCommand(g *globalOptions) *cobra.Command {
	opts := project.LogsOptions{}
	tail := "all"
	cmd := &cobra.Command{
		Use:   "logs [SERVICE...]",
		Short: "View output from containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := projectName(cmd, g)
			if err != nil {
				return err
			}
			cfg, err := projectConfig(g)
			if err != nil {
				return err
			}
			if opts.Tail, err = parseTail(tail); err != nil {
				return err
			}
			opts.Services = args
			return project.Logs(cmd.Context(), cfg, name, cmd.OutOrStdout(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Follow, "follow", false, "Follow log output (-f is taken by the global --file flag)")
	f.StringVarP(&tail, "tail", "n", "all", "Number of lines to show from the end of the logs for each container")
	f.BoolVarP(&opts.Timestamps, "timestamps", "t", false, "Show timestamps")
	f.BoolVar(&opts.NoPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	return cmd
}
