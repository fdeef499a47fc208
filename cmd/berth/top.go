package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newTopCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "top [SERVICES...]",
		Short: "Display the running processes",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			list, err := project.Top(cfg, name, args)
			if err != nil {
				return err
			}
			return printTop(cmd.OutOrStdout(), list)
		},
	}
}

// printTop prints, per container, its name, a table of its processes and a blank line.
func printTop(w io.Writer, list []project.ContainerTop) error {
	for _, c := range list {
		fmt.Fprintln(w, c.Name)
		tw := tabwriter.NewWriter(w, 5, 1, 3, ' ', 0)
		fmt.Fprintln(tw, strings.Join(project.TopTitles, "\t"))
		for _, p := range c.Processes {
			fmt.Fprintln(tw, strings.Join(p, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return nil
}
