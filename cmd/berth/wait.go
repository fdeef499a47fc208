package main

import (
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newWaitCommand(g *globalOptions) *cobra.Command {
	var downProject bool
	cmd := &cobra.Command{
		Use:   "wait SERVICE [SERVICE...]",
		Short: "Block until containers of all (or specified) services stop.",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			code, err := project.Wait(cmd.Context(), cfg, name, project.WaitOptions{Services: args,
				DownProject: downProject, Output: cmd.OutOrStdout(), Progress: g.progressOut(cmd)})
			if err != nil {
				return err
			}
			return exitWith(code) // the first container's exit code is berth's, as with Compose
		},
	}
	cmd.Flags().BoolVar(&downProject, "down-project", false, "Drops project when the first container stops")
	return cmd
}
