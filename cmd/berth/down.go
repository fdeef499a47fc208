package main

import (
	"fmt"
	"os"
	"time"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type downOptions struct {
	volumes       bool
	removeOrphans bool
	timeout       int
	rmi           string
}

func newDownCommand(g *globalOptions) *cobra.Command {
	opts := &downOptions{}
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop and remove containers, networks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			do := project.DownOptions{Volumes: opts.volumes, RemoveOrphans: opts.removeOrphans,
				Timeout: time.Duration(opts.timeout) * time.Second, Images: opts.rmi, Progress: g.progressOut(cmd)}
			if err := project.CheckRemoveImages(opts.rmi); err != nil {
				return fmt.Errorf("down: %w", err)
			}
			// With the compose file, its pre_stop hooks run; without it (-p NAME) none
			// do, and the recorded containers name --rmi's images.
			do.Project = hooksProject(cmd, g, name)
			return project.Down(cmd.Context(), cfg, name, do)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.volumes, "volumes", "v", false, "Remove named volumes declared in the compose file (anonymous volumes attached to containers are always removed)")
	f.BoolVar(&opts.removeOrphans, "remove-orphans", envBool(os.Getenv(envRemoveOrphans)), "Remove containers for services not defined in the compose file")
	f.StringVar(&opts.rmi, "rmi", "", `Remove images used by services: "local" (only those built without a custom tag) or "all"`)
	f.IntVarP(&opts.timeout, "timeout", "t", 0, "Shutdown timeout in seconds (default: each service's stop_grace_period, 10 s)")
	return cmd
}
