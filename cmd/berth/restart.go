package main

import (
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newRestartCommand(g *globalOptions) *cobra.Command {
	var timeout int
	var noDeps bool
	cmd := &cobra.Command{
		Use:   "restart [SERVICE...]",
		Short: "Restart service containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, name, cfg, err := optionalProject(cmd, g)
			if err != nil {
				return err
			}
			return project.Restart(cmd.Context(), cfg, name, project.RestartOptions{Services: args, NoDeps: noDeps,
				Timeout: timeoutFlag(cmd, timeout), Project: p, Progress: g.progressOut(cmd)})
		},
	}
	f := cmd.Flags()
	f.IntVarP(&timeout, "timeout", "t", 0, "Specify a shutdown timeout in seconds (default: each service's stop_grace_period, 10 s)")
	f.BoolVar(&noDeps, "no-deps", false, "Don't restart dependent services")
	return cmd
}
