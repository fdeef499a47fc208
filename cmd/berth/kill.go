package main

import (
	"os"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newKillCommand(g *globalOptions) *cobra.Command {
	var signal string
	var removeOrphans bool
	cmd := &cobra.Command{
		Use:   "kill [SERVICE...]",
		Short: "Force stop service containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, name, cfg, err := optionalProject(cmd, g)
			if err != nil {
				return err
			}
			return project.Kill(cmd.Context(), cfg, name, project.KillOptions{Services: args, Signal: signal,
				Progress: g.progressOut(cmd), Project: p, RemoveOrphans: removeOrphans})
		},
	}
	cmd.Flags().StringVarP(&signal, "signal", "s", "SIGKILL", "SIGNAL to send to the container")
	cmd.Flags().BoolVar(&removeOrphans, "remove-orphans", envBool(os.Getenv(envRemoveOrphans)), "Remove containers for services not defined in the Compose file")
	return cmd
}
