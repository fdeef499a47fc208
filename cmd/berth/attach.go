package main

import (
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type attachOptions struct {
	index      int
	detachKeys string
	noStdin    bool
	sigProxy   bool
}

func newAttachCommand(g *globalOptions) *cobra.Command {
	opts := &attachOptions{}
	cmd := &cobra.Command{
		Use:               "attach [OPTIONS] SERVICE",
		Short:             "Attach local standard input, output, and error streams to a service's running container",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeOneService(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := project.ParseDetachKeys(opts.detachKeys)
			if err != nil {
				return err
			}
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			code, err := project.AttachOne(cmd.Context(), cfg, name, project.AttachOneOptions{Service: args[0],
				Index: opts.index, NoStdin: opts.noStdin, SigProxy: opts.sigProxy, DetachKeys: keys,
				Stdin: cmd.InOrStdin(), Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(), Warnings: cmd.ErrOrStderr()})
			if err != nil {
				return err
			}
			return exitWith(code) // the container's exit code, as docker attach
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.index, "index", 0, "index of the container if service has multiple replicas.")
	f.StringVar(&opts.detachKeys, "detach-keys", "", "Override the key sequence for detaching from a container.")
	f.BoolVar(&opts.noStdin, "no-stdin", false, "Do not attach STDIN")
	f.BoolVar(&opts.sigProxy, "sig-proxy", true, "Proxy all received signals to the process")
	return cmd
}
