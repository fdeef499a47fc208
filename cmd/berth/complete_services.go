package main

import (
	"io"

	"github.com/spf13/cobra"
)

// completeServices offers the compose file's service names for the first argument
// (export, commit) or for every argument (push), as Compose's completion does. The
// loader's warnings are not printed over the user's command line.
func completeServices(g *globalOptions, single bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if single && len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		cmd.SetErr(io.Discard)
		p, err := loadProject(cmd, g, &configOptions{}, nil)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return p.ServiceNames(), cobra.ShellCompDirectiveNoFileComp
	}
}
