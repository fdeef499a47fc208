package main

import (
	"context"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newPauseCommand(g *globalOptions) *cobra.Command {
	return freezeCommand(g, "pause [SERVICE...]", "Pause services", project.Pause)
}

func newUnpauseCommand(g *globalOptions) *cobra.Command {
	return freezeCommand(g, "unpause [SERVICE...]", "Unpause services", project.Unpause)
}

func freezeCommand(g *globalOptions, use, short string,
	fn func(context.Context, project.Config, string, project.PauseOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			return fn(cmd.Context(), cfg, name, project.PauseOptions{Services: args, Progress: g.progressOut(cmd)})
		},
	}
}
