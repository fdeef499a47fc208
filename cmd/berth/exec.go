package main

import (
	"os"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type execOptions struct {
	noTTY       bool
	interactive bool
	env         []string
	user        string
	workdir     string
	index       int
	detach      bool
	privileged  bool
}

func newExecCommand(g *globalOptions) *cobra.Command {
	opts := &execOptions{}
	cmd := &cobra.Command{
		Use:   "exec [OPTIONS] SERVICE COMMAND [ARGS...]",
		Short: "Execute a command in a running container",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExec(cmd, g, opts, args)
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false) // flags after SERVICE belong to the command
	f.BoolVarP(&opts.noTTY, "no-TTY", "T", false, "Disable pseudo-TTY allocation (default: a TTY when stdin is a terminal)")
	f.BoolVarP(&opts.interactive, "interactive", "i", true, "Keep STDIN open even if not attached")
	f.MarkHidden("interactive")
	f.StringArrayVarP(&opts.env, "env", "e", nil, "Set environment variables (KEY=VAL, or KEY to pass berth's own value)")
	f.StringVarP(&opts.user, "user", "u", "", "Run the command as this user")
	f.StringVarP(&opts.workdir, "workdir", "w", "", "Path to workdir directory for this command")
	f.IntVar(&opts.index, "index", 0, "Index of the container if service has multiple replicas (default: the first running)")
	f.BoolVarP(&opts.detach, "detach", "d", false, "Detached mode: Run command in the background")
	f.BoolVar(&opts.privileged, "privileged", false, "Give extended privileges to the process")
	return cmd
}

func runExec(cmd *cobra.Command, g *globalOptions, opts *execOptions, args []string) error {
	p, name, cfg, err := optionalProject(cmd, g)
	if err != nil {
		return err
	}
	eo := project.ExecOptions{Service: args[0], Index: opts.index, Cmd: args[1:], Env: opts.env,
		Lookup: os.LookupEnv, User: opts.user, WorkingDir: opts.workdir, Privileged: opts.privileged,
		Detach: opts.detach, Tty: !opts.noTTY && isTerminal(os.Stdin), Project: p,
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	if !opts.interactive {
		eo.Stdin = nil
	}
	code, err := project.Exec(cfg, name, eo)
	if err != nil {
		return err
	}
	return exitWith(code) // the command's exit code is berth's, as with Compose
}
