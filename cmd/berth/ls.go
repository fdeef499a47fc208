package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type lsOptions struct {
	all    bool
	quiet  bool
	format string
	filter []string
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
			names, err := lsNameFilters(opts.filter)
			if err != nil {
				return err
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
			return printLs(cmd.OutOrStdout(), filterProjects(list, names), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.all, "all", "a", false, "Show all stopped Compose projects")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "Only display project names")
	f.StringVar(&opts.format, "format", "table", "Format the output: table or json")
	f.StringArrayVar(&opts.filter, "filter", nil, "Filter output based on conditions provided (name=NAME, a regular expression)")
	return cmd
}

// lsNameFilters are the values of ls's --filter name=VALUE flags, the one filter
// Compose's ls accepts; it fails on the others with Compose's messages.
func lsNameFilters(filters []string) ([]string, error) {
	var names []string
	for _, f := range filters {
		if f == "" {
			continue
		}
		key, value, ok := strings.Cut(f, "=")
		if !ok {
			return nil, errors.New("bad format of filter (expected name=value)")
		}
		if key = strings.ToLower(strings.TrimSpace(key)); key != "name" {
			return nil, errors.New("invalid filter '" + key + "'")
		}
		names = append(names, strings.TrimSpace(value))
	}
	return names, nil
}

// filterProjects keeps the projects whose name equals one of names or matches it as
// an (unanchored) regular expression, as Compose's ls --filter name=; no names: all.
func filterProjects(list []project.ProjectSummary, names []string) []project.ProjectSummary {
	if len(names) == 0 {
		return list
	}
	var out []project.ProjectSummary
	for _, p := range list {
		if slices.ContainsFunc(names, func(n string) bool {
			ok, err := regexp.MatchString(n, p.Name)
			return n == p.Name || (err == nil && ok)
		}) {
			out = append(out, p)
		}
	}
	return out
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
