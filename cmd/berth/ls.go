package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type lsOptions struct {
	all    bool
	quiet  bool
	format string
}

func newLsCommand(g *globalOptions) *cobra.Command {
	opts := &lsOptions{}
	cmd := &cobra.Command{
		Use:   "ls [OPTIONS]",
		Short: "List running compose projects",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.format != "table" && opts.format != "json" {
				return fmt.Errorf("ls: --format %q: want table or json", opts.format)
			}
			cfg, err := projectConfig(g)
			if err != nil {
				return err
			}
			warn := func(err error) { fmt.Fprintf(cmd.ErrOrStderr(), "warning: %v\n", err) }
			list, err := project.List(cfg, opts.all, warn)
			if err != nil {
				return err
			}
			return printLs(cmd.OutOrStdout(), list, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.all, "all", "a", false, "Show all stopped Compose projects")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "Only display project names")
	f.StringVar(&opts.format, "format", "table", "Format the output: table or json")
	return cmd
}

// printLs prints the projects as `docker compose ls` does: names only, one JSON array,
// or a table.
func printLs(w io.Writer, list []project.ProjectSummary, opts *lsOptions) error {
	switch {
	case opts.quiet:
		for _, p := range list {
			fmt.Fprintln(w, p.Name)
		}
	case opts.format == "json":
		if list == nil {
			list = []project.ProjectSummary{}
		}
		b, err := json.Marshal(list)
		if err != nil {
			return fmt.Errorf("ls: %w", err)
		}
		fmt.Fprintln(w, string(b))
	default:
		tw := tabwriter.NewWriter(w, 20, 1, 3, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSTATUS\tCONFIG FILES")
		for _, p := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, p.Status, p.ConfigFiles)
		}
		return tw.Flush()
	}
	return nil
}
