package main

import (
	"time"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type downOptions struct {
	volumes       bool
	removeOrphans bool
	timeout       int
}

func newDownCommand(g *globalOptions) *cobra.Command {
	opts := &downOptions{}
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop and remove containers, networks and (with -v) volumes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := projectName(cmd, g)
			if err != nil {
				return err
			}
			cfg, err := projectConfig(g)
			if err != nil {
				return err
			}
			return project.Down(cmd.Context(), cfg, name, project.DownOptions{Volumes: opts.volumes,
				RemoveOrphans: opts.removeOrphans, Timeout: time.Duration(opts.timeout) * time.Second,
				Progress: cmd.ErrOrStderr()})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.volumes, "volumes", "v", false, "Remove named volumes declared in the compose file")
	f.BoolVar(&opts.removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the compose file")
	f.IntVarP(&opts.timeout, "timeout", "t", 0, "Shutdown timeout in seconds (default: each service's stop_grace_period, 10 s)")
	return cmd
}
