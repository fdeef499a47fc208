package main

import (
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newKillCommand(g *globalOptions) *cobra.Command {
	var signal string
	cmd := &cobra.Command{
		Use:   "kill [SERVICE...]",
		Short: "Force stop service containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			return project.Kill(cmd.Context(), cfg, name, project.KillOptions{Services: args, Signal: signal,
				Progress: cmd.ErrOrStderr()})
		},
	}
	cmd.Flags().StringVarP(&signal, "signal", "s", "SIGKILL", "SIGNAL to send to the container")
	return cmd
}
