package main

import (
	"fmt"
	"slices"

	"github.com/berth-dev/berth/housekeep"
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newVolumesCommand(g *globalOptions) *cobra.Command {
	var quiet bool
	var format string
	cmd := &cobra.Command{
		Use:               "volumes [OPTIONS] [SERVICE...]",
		Short:             "List volumes",
		ValidArgsFunction: completeServices(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			vols, err := projectVolumes(cmd, g, args)
			if err != nil {
				return err
			}
			return printVolumes(cmd.OutOrStdout(), vols, quiet, format)
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display volume names")
	cmd.Flags().StringVar(&format, "format", "table", "Format output using a custom template: 'table' (default), 'table TEMPLATE', 'json' or a Go template (e.g. {{.Name}})")
	return cmd
}

// projectVolumes are the volumes of the project (of services, when named) as `volume
// ls` describes them. As Compose, a service the compose file does not declare is an
// error when the file can be loaded.
func projectVolumes(cmd *cobra.Command, g *globalOptions, services []string) ([]*housekeep.Volume, error) {
	p, name, cfg, err := optionalProject(cmd, g)
	if err != nil {
		return nil, err
	}
	if p != nil {
		for _, s := range services {
			if !slices.Contains(p.ServiceNames(), s) {
				return nil, fmt.Errorf("no such service: %s", s)
			}
		}
	}
	names, err := project.Volumes(cfg, name, services)
	if err != nil {
		return nil, err
	}
	h := housekeep.New(cfg)
	var vols []*housekeep.Volume
	for _, n := range names {
		v, err := h.Volume(n)
		if housekeep.IsNotFound(err) {
			continue // recorded but not made yet, or removed
		}
		if err != nil {
			return nil, err
		}
		vols = append(vols, v)
	}
	return vols, nil
}
