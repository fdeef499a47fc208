package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/berth-dev/berth/compose"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
	labels       []string
	capAdd       []string
	capDrop      []string
	envFiles     []string
	quiet        bool
	useAliases   bool
	removeOrph   bool
	tty          bool
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
	opts.addFlags(cmd.Flags())
	return cmd
}

func (opts *runOptions) addFlags(f *pflag.FlagSet) {
	f.SetInterspersed(false) // flags after SERVICE belong to the command
	f.BoolVar(&opts.remove, "rm", false, "Automatically remove the container when it exits")
	f.StringArrayVarP(&opts.env, "env", "e", nil, "Set environment variables (KEY=VAL, or KEY to take it from the project environment)")
	f.StringArrayVarP(&opts.volumes, "volume", "v", nil, "Bind mount a host path (SOURCE:TARGET[:ro]) or mount a project volume")
	// Compose's -p shorthand is berth's global --project-name.
	f.StringArrayVarP(&opts.publish, "publish", "p", nil, "Publish a container's port(s) to the host ([HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])")
	f.BoolVarP(&opts.servicePorts, "service-ports", "P", false, "Run command with all service's ports enabled and mapped to the host")
	f.StringVar(&opts.name, "name", "", "Assign a name to the container")
	f.BoolVar(&opts.noDeps, "no-deps", false, "Don't start linked services")
	f.StringVar(&opts.entrypoint, "entrypoint", "", "Override the entrypoint of the image")
	f.BoolVarP(&opts.noTTY, "no-tty", "T", false, "Disable pseudo-TTY allocation (by default one is allocated when stdin is a terminal)")
	f.BoolVarP(&opts.tty, "tty", "t", true, "Allocate a pseudo-TTY")
	f.MarkHidden("tty")
	f.BoolVarP(&opts.interactive, "interactive", "i", true, "Keep STDIN open even if not attached")
	f.MarkHidden("interactive")
	f.BoolVarP(&opts.detach, "detach", "d", false, "Run container in background and print container name")
	f.StringVarP(&opts.user, "user", "u", "", "Run as specified username or uid")
	f.StringVarP(&opts.workdir, "workdir", "w", "", "Working directory inside the container")
	f.StringVar(&opts.pull, "pull", "", "Pull image before running: always, missing or never")
	f.BoolVar(&opts.build, "build", false, "Build image before starting container")
	f.StringArrayVarP(&opts.labels, "label", "l", nil, "Add or override a label")
	f.StringArrayVar(&opts.capAdd, "cap-add", nil, "Add Linux capabilities")
	f.StringArrayVar(&opts.capDrop, "cap-drop", nil, "Drop Linux capabilities")
	f.StringArrayVar(&opts.envFiles, "env-from-file", nil, "Set environment variables from file")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "Don't print anything to STDOUT")
	f.BoolVar(&opts.useAliases, "use-aliases", false, "Use the service's network aliases in the network(s) the container connects to")
	f.BoolVar(&opts.removeOrph, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	f.SetNormalizeFunc(normalizeRunFlags)
}

// normalizeRunFlags accepts the old spellings Compose's run still takes.
func normalizeRunFlags(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	switch name {
	case "volumes":
		name = "volume"
	case "labels":
		name = "label"
	case "no-TTY":
		name = "no-tty"
	}
	return pflag.NormalizedName(name)
}

// checkFlags rejects what Compose's run rejects before loading the project.
func (o *runOptions) checkFlags(cmd *cobra.Command) error {
	if o.detach && o.remove {
		return fmt.Errorf("run: --rm and -d cannot be combined")
	}
	if len(o.publish) > 0 && o.servicePorts {
		return errors.New("--service-ports and --publish are incompatible")
	}
	if cmd.Flags().Changed("tty") {
		if cmd.Flags().Changed("no-tty") {
			return errors.New("--tty and --no-tty can't be used together")
		}
		o.noTTY = !o.tty
	}
	return nil
}

// runLabels parses -l KEY=VALUE flags.
func runLabels(flags []string) (map[string]string, error) {
	labels := map[string]string{}
	for _, s := range flags {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, errors.New("label must be set as KEY=VALUE")
		}
		labels[k] = v
	}
	return labels, nil
}

// runEnv is -e's KEY=VAL and KEY flags after the variables of --env-from-file that
// -e does not set, so -e wins, as with Compose. A file's KEY alone and ${KEY} look in
// -e's values (a bare KEY there resolved from the project environment).
func runEnv(flags, files []string, projectEnv map[string]string) ([]string, error) {
	set := map[string]string{}
	for _, kv := range flags {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			if v, ok = projectEnv[k]; !ok {
				continue
			}
		}
		set[k] = v
	}
	var out []string
	for _, f := range files {
		vars, err := compose.ReadEnvFile(f, func(k string) (string, bool) { v, ok := set[k]; return v, ok })
		if err != nil {
			return nil, fmt.Errorf("run: --env-from-file: %w", err)
		}
		for _, k := range slices.Sorted(maps.Keys(vars)) {
			if _, ok := set[k]; !ok {
				out = append(out, k+"="+vars[k])
			}
		}
	}
	return append(out, flags...), nil
}

func runRun(cmd *cobra.Command, g *globalOptions, opts *runOptions, args []string) error {
	if err := opts.checkFlags(cmd); err != nil {
		return err
	}
	labels, err := runLabels(opts.labels)
	if err != nil {
		return err
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
	env, err := runEnv(opts.env, opts.envFiles, p.Env)
	if err != nil {
		return err
	}
	var progress io.Writer = g.progressOut(cmd)
	if opts.quiet {
		progress = io.Discard
	}
	ro := project.RunOptions{Service: args[0], Cmd: args[1:], Name: opts.name, Env: env, Labels: labels,
		CapAdd: opts.capAdd, CapDrop: opts.capDrop, UseAliases: opts.useAliases, RemoveOrphans: opts.removeOrph,
		IgnoreOrphans: envBool(p.Env[envIgnoreOrphans]),
		Volumes:       opts.volumes, Publish: opts.publish, ServicePorts: opts.servicePorts, NoDeps: opts.noDeps,
		Remove: opts.remove, Detach: opts.detach, User: opts.user, WorkingDir: opts.workdir, Pull: opts.pull, Build: opts.build,
		ConfigFiles: configFiles(p), Progress: project.ProgressOnce(progress), Stdin: cmd.InOrStdin(), Interactive: opts.interactive,
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
