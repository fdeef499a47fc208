package main

import (
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/berth-dev/berth/internal/residency"
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

// releaseInterval is how often a supervisor unmaps the pages of the berth executable it
// is not using (residency.ReleaseExecutable, about 0.1 ms).
const releaseInterval = 10 * time.Second

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
			if os.Getenv("GOGC") == "" {
				debug.SetGCPercent(100) // lives for hours: Go's default, not commandGCPercent
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			// The supervisor idles for hours: give back the executable's pages its start
			// and each sync touched (3/4 of its resident memory).
			go residency.ReleaseEvery(ctx, releaseInterval)
			return project.RunSupervisor(ctx, cfg, args[0])
		},
	}
}

// newRestoreCommand is the hidden command a container's shim runs after the container
// exits (its restart policy may start it again): it brings back the project's
// supervisor if it was killed.
func newRestoreCommand() *cobra.Command {
	return &cobra.Command{
		Use:    project.RestoreCommand + " PROJECT",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := project.ConfigFromEnv("")
			if err != nil {
				return err
			}
			return project.RestoreSupervisor(cfg, args[0])
		},
	}
}
