package main

import (
	"fmt"
	"time"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type logsOptions struct {
	follow     bool
	tail       string
	since      string
	until      string
	timestamps bool
	noColor    bool
	noPrefix   bool
	index      int
}

func newLogsCommand(g *globalOptions) *cobra.Command {
	opts := &logsOptions{}
	cmd := &cobra.Command{
		Use:   "logs [SERVICE...]",
		Short: "View output from containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogs(cmd, g, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.follow, "follow", "f", false, "Follow log output")
	f.StringVarP(&opts.tail, "tail", "n", "all", "Number of lines to show from the end of the logs for each container")
	f.StringVar(&opts.since, "since", "", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	f.StringVar(&opts.until, "until", "", "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	f.BoolVarP(&opts.timestamps, "timestamps", "t", false, "Show timestamps")
	f.BoolVar(&opts.noColor, "no-color", false, "Produce monochrome output")
	f.BoolVar(&opts.noPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	f.IntVar(&opts.index, "index", 0, "Index of the container if the service has multiple replicas")
	return cmd
}

func runLogs(cmd *cobra.Command, g *globalOptions, opts *logsOptions, args []string) error {
	name, cfg, err := projectTarget(cmd, g)
	if err != nil {
		return err
	}
	if _, err := project.ParseTail(opts.tail); err != nil {
		return fmt.Errorf("logs --tail: %w", err)
	}
	now := time.Now()
	lo := project.LogsOptions{Services: args, Index: opts.index, Follow: opts.follow, Tail: opts.tail,
		LogFormat: project.LogFormat{Color: g.display.color(cmd.OutOrStdout(), opts.noColor),
			NoPrefix: opts.noPrefix, Timestamps: opts.timestamps}}
	if lo.Since, err = project.ParseLogTime(opts.since, now); err != nil {
		return fmt.Errorf("logs --since: %w", err)
	}
	if lo.Until, err = project.ParseLogTime(opts.until, now); err != nil {
		return fmt.Errorf("logs --until: %w", err)
	}
	lo.Warnings = cmd.ErrOrStderr()
	if len(args) == 0 {
		lo.Unattached = unattached(cmd, g, name)
	}
	return project.Logs(cmd.Context(), cfg, name, cmd.OutOrStdout(), lo)
}

// unattached are the services with attach: false of the project's compose file, when one
// loads and names this project; logs leaves them out unless named, as Compose's.
func unattached(cmd *cobra.Command, g *globalOptions, name string) []string {
	p, err := loadProject(cmd, g, &configOptions{}, nil)
	if err != nil || p.Name != name {
		return nil
	}
	var out []string
	for s, svc := range p.Services {
		if svc.Attach != nil && !*svc.Attach {
			out = append(out, s)
		}
	}
	return out
}
