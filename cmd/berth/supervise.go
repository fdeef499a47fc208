package main

import (
	"os/signal"
	"syscall"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

// newSuperviseCommand is the hidden command `berth up` re-executes detached as a
// project's supervisor.
func newSuperviseCommand() *cobra.Command {
	return &cobra.Command{
		Use:    project.SupervisorCommand + " PROJECT",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := project.ConfigFromEnv("")
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			return project.RunSupervisor(ctx, cfg, args[0])
		},
	}
}
