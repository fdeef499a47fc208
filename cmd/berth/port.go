package main

import (
	"fmt"
	"strconv"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newPortCommand(g *globalOptions) *cobra.Command {
	opts := project.PortOptions{}
	cmd := &cobra.Command{
		Use:   "port [OPTIONS] SERVICE PRIVATE_PORT",
		Short: "Print the public port for a port binding",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			port, err := strconv.ParseUint(args[1], 10, 16)
			if err != nil || port == 0 {
				return fmt.Errorf("port: invalid private port %q: want 1-65535", args[1])
			}
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			addr, err := project.Port(cfg, name, args[0], uint16(port), opts)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), addr)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Protocol, "protocol", "tcp", "tcp or udp")
	f.IntVar(&opts.Index, "index", 0, "Index of the container if service has multiple replicas")
	return cmd
}
