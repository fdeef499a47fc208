package main

import (
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newStopCommand(g *globalOptions) *cobra.Command {
	var timeout int
	cmd := &cobra.Command{
		Use:   "stop [SERVICE...]",
		Short: "Stop services",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			return project.Stop(cmd.Context(), cfg, name, project.StopOptions{Services: args,
				Timeout: timeoutFlag(cmd, timeout), Project: hooksProject(cmd, g, name), Progress: g.progressOut(cmd)})
		},
	}
	cmd.Flags().IntVarP(&timeout, "timeout", "t", 0, "Specify a shutdown timeout in seconds (default: each service's stop_grace_period, 10 s)")
	return cmd
}

// hooksProject is the compose project of name when its file loads, for its pre_stop
// hooks (as Compose, which runs the hooks of the file it loaded); nil otherwise.
func hooksProject(cmd *cobra.Command, g *globalOptions, name string) *compose.Project {
	if p, err := loadProject(cmd, g, &configOptions{}, nil); err == nil && p.Name == name {
		return p
	}
	return nil
}

// timeoutFlag is -t as a duration, nil when the flag was not given (0 is valid: kill
// at once).
func timeoutFlag(cmd *cobra.Command, seconds int) *time.Duration {
	if !cmd.Flags().Changed("timeout") {
		return nil
	}
	d := time.Duration(max(seconds, 0)) * time.Second
	return &d
}
