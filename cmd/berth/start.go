package main

import (
	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newStartCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "start [SERVICE...]",
		Short: "Start services",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, name, err := optionalProject(cmd, g)
			if err != nil {
				return err
			}
			cfg, err := projectConfig(g)
			if err != nil {
				return err
			}
			return project.Start(cmd.Context(), cfg, name, project.StartOptions{Services: args, Project: p,
				Progress: cmd.ErrOrStderr()})
		},
	}
}

// optionalProject loads the compose project when its files can be loaded, else
// returns nil and the project name from -p or $COMPOSE_PROJECT_NAME, so that
// lifecycle commands work without the compose file, as Compose's do.
func optionalProject(cmd *cobra.Command, g *globalOptions) (*compose.Project, string, error) {
	p, err := loadProject(cmd, g, &configOptions{}, nil)
	if err == nil {
		return p, p.Name, nil
	}
	name, err := projectName(cmd, g)
	return nil, name, err
}
