package main

import (
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newStartCommand(g *globalOptions) *cobra.Command {
	var wait bool
	var waitTimeout int
	cmd := &cobra.Command{
		Use:   "start [SERVICE...]",
		Short: "Start services",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, name, cfg, err := optionalProject(cmd, g)
			if err != nil {
				return err
			}
			return project.Start(cmd.Context(), cfg, name, project.StartOptions{Services: args, Project: p,
				Progress: g.progressOut(cmd), Wait: wait, WaitTimeout: time.Duration(max(waitTimeout, 0)) * time.Second})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&wait, "wait", false, "Wait for services to be running|healthy. Implies detached mode.")
	f.IntVar(&waitTimeout, "wait-timeout", 0, "Maximum duration in seconds to wait for the project to be running|healthy")
	return cmd
}

// optionalProject loads the compose project when its files can be loaded, else
// returns nil and the project name from -p or $COMPOSE_PROJECT_NAME, so that
// lifecycle commands work without the compose file, as Compose's do; and the
// orchestration config.
func optionalProject(cmd *cobra.Command, g *globalOptions) (*compose.Project, string, project.Config, error) {
	p, err := loadProject(cmd, g, &configOptions{}, nil)
	name := ""
	if err == nil {
		name = p.Name
	} else if name, err = projectName(cmd, g); err != nil {
		return nil, "", project.Config{}, err
	}
	cfg, err := projectConfig(g)
	return p, name, cfg, err
}
