package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type rmOptions struct {
	force   bool
	stop    bool
	volumes bool
}

func newRmCommand(g *globalOptions) *cobra.Command {
	opts := &rmOptions{}
	cmd := &cobra.Command{
		Use:   "rm [SERVICE...]",
		Short: "Removes stopped service containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			confirm := func(names []string) (bool, error) {
				msg := "Going to remove " + strings.Join(names, ", ")
				if opts.force {
					fmt.Fprintln(out, msg)
					return true, nil
				}
				return askYesNo(cmd.InOrStdin(), out, msg+"\nAre you sure? [yN] ")
			}
			return project.Remove(cmd.Context(), cfg, name, project.RemoveOptions{Services: args, Stop: opts.stop,
				Confirm: confirm, Progress: g.progressOut(cmd)})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.force, "force", "f", false, "Don't ask to confirm removal")
	f.BoolVarP(&opts.stop, "stop", "s", false, "Stop the containers, if required, before removing")
	f.BoolVarP(&opts.volumes, "volumes", "v", false, "Remove any anonymous volumes attached to containers (berth always removes them with their container)")
	return cmd
}

// askYesNo prints the question and reads one line: "y" or "yes" (any case) is yes;
// anything else, or end of input, is no.
func askYesNo(in io.Reader, out io.Writer, question string) (bool, error) {
	fmt.Fprint(out, question)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && err != io.EOF {
		return false, fmt.Errorf("rm: read answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
