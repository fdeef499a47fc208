package main

import (
	"fmt"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type runOptions struct {
	remove       bool
	env          []string
	volumes      []string
	publish      []string
	servicePorts bool
	name         string
	noDeps       bool
	entrypoint   string
	noTTY        bool
	interactive  bool
	detach       bool
	user         string
	workdir      string
	pull         string
	build        bool
}

func newRunCommand(g *globalOptions) *cobra.Command {
	opts := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run [OPTIONS] SERVICE [COMMAND] [ARGS...]",
		Short: "Run a one-off command on a service",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, g, opts, args)
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false) // flags after SERVICE belong to the command
	f.BoolVar(&opts.remove, "rm", false, "Automatically remove the container when it exits")
	f.StringArrayVarP(&opts.env, "env", "e", nil, "Set environment variables (KEY=VAL, or KEY to take it from the project environment)")
	f.StringArrayVarP(&opts.volumes, "volume", "v", nil, "Bind mount a host path (SOURCE:TARGET[:ro]) or mount a project volume")
	// Compose's -p shorthand is berth's global --project-name.
	f.StringArrayVarP(&opts.publish, "publish", "p", nil, "Publish a container's port(s) to the host ([HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])")
	f.BoolVar(&opts.servicePorts, "service-ports", false, "Run command with the service's ports enabled and mapped to the host")
	f.StringVar(&opts.name, "name", "", "Assign a name to the container")
	f.BoolVar(&opts.noDeps, "no-deps", false, "Don't start linked services")
	f.StringVar(&opts.entrypoint, "entrypoint", "", "Override the entrypoint of the image")
	f.BoolVarP(&opts.noTTY, "no-TTY", "T", false, "Disable pseudo-TTY allocation (by default one is allocated when stdin is a terminal)")
	f.BoolVarP(&opts.interactive, "interactive", "i", true, "Keep STDIN open even if not attached")
	f.MarkHidden("interactive")
	f.BoolVarP(&opts.detach, "detach", "d", false, "Run container in background and print container name")
	f.StringVarP(&opts.user, "user", "u", "", "Run as specified username or uid")
	f.StringVarP(&opts.workdir, "workdir", "w", "", "Working directory inside the container")
	f.StringVar(&opts.pull, "pull", "", "Pull image before running: always, missing or never")
	f.BoolVar(&opts.build, "build", false, "Build image before starting container")
	return cmd
}

func runRun(cmd *cobra.Command, g *globalOptions, opts *runOptions, args []string) error {
	if opts.detach && opts.remove {
		return fmt.Errorf("run: --rm and -d cannot be combined")
	}
	// Naming the service enables its profiles, as with Compose: `run tests` works for a
	// service only the "test" profile enables.
	p, err := loadProject(cmd, g, &configOptions{}, args[:1])
	if err != nil {
		return err
	}
	printWarnings(cmd, p.Unsupported())         // what berth parses but will not do
	printWarnings(cmd, project.HostWarnings(p)) // what this host cannot do
	cfg, err := projectConfig(g)
	if err != nil {
		return err
	}
	ro := project.RunOptions{Service: args[0], Cmd: args[1:], Name: opts.name, Env: opts.env,
		Volumes: opts.volumes, Publish: opts.publish, ServicePorts: opts.servicePorts, NoDeps: opts.noDeps,
		Remove: opts.remove, Detach: opts.detach, User: opts.user, WorkingDir: opts.workdir, Pull: opts.pull, Build: opts.build,
		ConfigFiles: configFiles(p), Progress: project.ProgressOnce(cmd.ErrOrStderr()), Stdin: cmd.InOrStdin(), Interactive: opts.interactive,
		NoTTY: opts.noTTY, Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr()}
	if cmd.Flags().Changed("entrypoint") {
		if ro.Entrypoint, err = project.ParseCommand(opts.entrypoint); err != nil {
			return fmt.Errorf("run: --entrypoint: %w", err)
		}
	}
	ro.ForwardSignals = !opts.detach
	res, err := project.Run(cmd.Context(), cfg, p, ro)
	if err != nil {
		return err
	}
	if opts.detach {
		fmt.Fprintln(cmd.OutOrStdout(), res.Name)
		return nil
	}
	return exitWith(res.ExitCode) // the container's exit code is berth's, as with Compose
}
