package main

import (
	"github.com/spf13/cobra"
)

// createFlags are the flags of `up` that `create` shares, as Compose's create has them.
var createFlags = []string{"build", "no-build", "force-recreate", "no-recreate", "pull", "quiet-pull", "yes",
	"remove-orphans", "scale", "no-deps"}

// newCreateCommand is `up --no-start`: it shares up's options and code, and offers the
// subset of its flags that Compose's create has.
func newCreateCommand(g *globalOptions) *cobra.Command {
	up := newUpCommand(g)
	cmd := &cobra.Command{
		Use:   "create [SERVICE...]",
		Short: "Creates containers for a service",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := up.Flags().Set("no-start", "true"); err != nil {
				return err
			}
			return up.RunE(cmd, args)
		},
	}
	for _, name := range createFlags {
		if f := up.Flags().Lookup(name); f != nil {
			cmd.Flags().AddFlag(f)
		}
	}
	return cmd
}
