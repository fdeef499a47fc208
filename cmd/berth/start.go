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
			p, name, cfg, err := optionalProject(cmd, g)
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
