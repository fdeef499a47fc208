package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newScaleCommand(g *globalOptions) *cobra.Command {
	var noDeps bool
	cmd := &cobra.Command{
		Use:               "scale [SERVICE=REPLICAS...]",
		Short:             "Scale services",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeScale(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			replicas, err := parseReplicas(args)
			if err != nil {
				return err
			}
			return runScale(cmd, g, replicas, noDeps)
		},
	}
	cmd.Flags().BoolVar(&noDeps, "no-deps", false, "Don't start linked services")
	return cmd
}

// parseReplicas reads Compose's SERVICE=REPLICAS arguments, with its errors.
func parseReplicas(args []string) (map[string]int, error) {
	replicas := map[string]int{}
	for _, arg := range args {
		name, val, ok := strings.Cut(arg, "=")
		if !ok || name == "" || val == "" {
			return nil, fmt.Errorf("invalid scale specifier: %s", arg)
		}
		n, err := strconv.Atoi(val)
		if err != nil {
			return nil, fmt.Errorf("invalid scale specifier: can't parse replica value as int: %v", arg)
		}
		if n < 0 {
			return nil, fmt.Errorf("invalid scale specifier: replicas must not be negative: %v", arg)
		}
		replicas[name] = n
	}
	return replicas, nil
}

// runScale is Compose's scale: `up -d` of the named services (and, unless noDeps,
// their dependencies) with their replica counts replaced; other services are left
// as they are.
func runScale(cmd *cobra.Command, g *globalOptions, replicas map[string]int, noDeps bool) error {
	services := make([]string, 0, len(replicas))
	for name := range replicas {
		services = append(services, name)
	}
	sort.Strings(services)
	p, err := scaleProject(cmd, g, services)
	if err != nil {
		return err
	}
	printWarnings(cmd, p.Unsupported())
	printWarnings(cmd, project.HostWarnings(p))
	cfg, err := projectConfig(g)
	if err != nil {
		return err
	}
	_, ignoreOrphans, err := orphanOptions(cmd, p, false)
	if err != nil {
		return err
	}
	po := project.PlanOptions{Services: services, NoDeps: noDeps, Scale: replicas}
	_, err = project.Up(cmd.Context(), cfg, p, project.UpOptions{PlanOptions: po, ConfigFiles: configFiles(p),
		Progress: project.ProgressOnce(g.progressOut(cmd)), IgnoreOrphans: ignoreOrphans})
	return err
}

// scaleProject loads the whole project, so that the other services' containers are
// not taken for orphans, and again with the services named (which enables their
// profiles and checks that they exist) when one of them is not in it.
func scaleProject(cmd *cobra.Command, g *globalOptions, services []string) (*compose.Project, error) {
	p, err := loadProject(cmd, g, &configOptions{}, nil)
	if err != nil {
		return nil, err
	}
	for _, s := range services {
		if _, ok := p.Services[s]; !ok {
			return loadProject(cmd, g, &configOptions{}, services)
		}
	}
	return p, nil
}
