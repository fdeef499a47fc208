package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// globalOptions are the flags every project command shares, as Docker Compose's.
type globalOptions struct {
	files            []string
	projectName      string
	projectDirectory string
	profiles         []string
	envFiles         []string
	root             string
	warned           bool // the loader's warnings were printed (a command may load twice)
	display          displayOptions
}

func newRootCommand() *cobra.Command {
	root, _ := newRoot()
	return root
}

// newRoot is berth's command and the global options its commands share (main closes
// their progress display once the command is done).
func newRoot() (*cobra.Command, *globalOptions) {
	opts := &globalOptions{}
	root := &cobra.Command{
		Use:           "berth",
		Short:         "Daemonless, Compose-compatible multi-container orchestrator",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Flags before a command belong to berth, after it to the command: `berth -f x.yaml
		// logs -f` reads x.yaml and follows, as Compose. The global flags are the root's
		// own (not persistent), so commands are free to use -f, -p, ... as Compose's do.
		TraverseChildren: true,
		Args:             cobra.ArbitraryArgs,
		RunE:             unknownCommand,
	}
	flags := root.Flags()
	flags.StringArrayVarP(&opts.files, "file", "f", nil, "Compose configuration files")
	flags.StringVarP(&opts.projectName, "project-name", "p", "", "Project name")
	flags.StringVar(&opts.projectDirectory, "project-directory", "", "Specify an alternate working directory\n(default: the path of the, first specified, Compose file)")
	flags.StringArrayVar(&opts.profiles, "profile", nil, "Specify a profile to enable")
	flags.StringArrayVar(&opts.envFiles, "env-file", nil, "Specify an alternate environment file")
	flags.StringVar(&opts.root, "root", "", "berth state directory (default $BERTH_ROOT or /var/lib/berth)")
	addDisplayFlags(root, opts)

	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return globalFlagError(root, cmd, err, os.Args[1:])
	})

	root.AddCommand(newVersionCommand())
	root.AddCommand(newConfigCommand(opts))
	root.AddCommand(newConvertCommand(opts))
	root.AddCommand(newImageCommand(opts))
	root.AddCommand(newBuildCommand(opts))
	root.AddCommand(newUpCommand(opts))
	root.AddCommand(newWatchCommand(opts))
	root.AddCommand(newDownCommand(opts))
	root.AddCommand(newPSCommand(opts))
	root.AddCommand(newLogsCommand(opts))
	root.AddCommand(newExecCommand(opts))
	root.AddCommand(newRunCommand(opts))
	root.AddCommand(newStartCommand(opts))
	root.AddCommand(newStopCommand(opts))
	root.AddCommand(newRestartCommand(opts))
	root.AddCommand(newKillCommand(opts))
	root.AddCommand(newRmCommand(opts))
	root.AddCommand(newPauseCommand(opts))
	root.AddCommand(newUnpauseCommand(opts))
	root.AddCommand(newPortCommand(opts))
	root.AddCommand(newTopCommand(opts))
	root.AddCommand(newWaitCommand(opts))
	root.AddCommand(newLsCommand(opts))
	root.AddCommand(newImagesCommand(opts))
	root.AddCommand(newPullCommand(opts))
	root.AddCommand(newCreateCommand(opts))
	root.AddCommand(newCpCommand(opts))
	root.AddCommand(newExportCommand(opts), newCommitCommand(opts), newPushCommand(opts))
	root.AddCommand(newVolumeCommand(opts))
	root.AddCommand(newNetworkCommand(opts))
	root.AddCommand(newSystemCommand(opts))
	root.AddCommand(newBuilderCommand(opts))
	root.AddCommand(newScaleCommand(opts))
	root.AddCommand(newVolumesCommand(opts))
	root.AddCommand(newStatsCommand(opts))
	root.AddCommand(newEventsCommand(opts))
	root.AddCommand(newAttachCommand(opts))
	root.AddCommand(newCompletionCommand())
	root.AddCommand(newSuperviseCommand())
	root.AddCommand(newRestoreCommand())
	groupCommands(root)
	dryRunnable(root, opts)
	return root, opts
}

// syntaxExitCode is Compose's exit code for a command line it cannot parse
// (CommandSyntaxFailure).
const syntaxExitCode = 16

// codedError is an error berth prints and ends with a given exit code (exitStatus).
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }
func (e *codedError) ExitCode() int { return e.code }

// unknownCommand is the RunE of berth and of its command groups (image, volume, ...):
// without arguments it prints the help; with one, as Compose, the help and then the
// error `unknown berth command: "image foo"`, exit code 16. Cobra alone would print
// the help and exit 0, so a script's typo would pass unnoticed.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	_ = cmd.Help()
	path := strings.TrimPrefix(cmd.CommandPath()+" ", cmd.Root().Name()+" ")
	return &codedError{code: syntaxExitCode, err: fmt.Errorf("unknown berth command: %q", path+args[0])}
}

// commandGroup is a command that only holds subcommands (image, volume, network, ...):
// an unknown subcommand fails as unknownCommand says.
func commandGroup(use, short string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.ArbitraryArgs, RunE: unknownCommand}
	cmd.AddCommand(subs...)
	return cmd
}

// globalFlagError turns "unknown flag" for a global flag given after a command (`berth
// up -f x.yaml`) into advice to move it before the command; args are the command line
// (without the program name), used to repeat the value the user gave. Other flag errors
// are returned as they are.
func globalFlagError(root, cmd *cobra.Command, err error, args []string) error {
	var ne *pflag.NotExistError
	if cmd == root || !errors.As(err, &ne) {
		return err
	}
	name := ne.GetSpecifiedName()
	var f *pflag.Flag
	if ne.GetSpecifiedShortnames() != "" {
		f = root.Flags().ShorthandLookup(name)
	} else {
		f = root.Flags().Lookup(name)
	}
	if f == nil {
		return err
	}
	spelled := "--" + f.Name
	if f.Shorthand != "" {
		spelled = "-" + f.Shorthand + "/--" + f.Name
	}
	sub := strings.TrimPrefix(cmd.CommandPath(), root.Name()+" ")
	return fmt.Errorf("%s: %s is a global flag: put it before the command: berth %s %s",
		sub, spelled, globalFlagExample(f, args), sub)
}

// globalFlagExample is the flag as the user last gave it in args ("-f x.yaml"), or with
// a placeholder value when args do not hold it.
func globalFlagExample(f *pflag.Flag, args []string) string {
	spelled := "--" + f.Name
	if f.Shorthand != "" {
		spelled = "-" + f.Shorthand
	}
	for i := len(args) - 1; i >= 0; i-- {
		a := args[i]
		if (a == "--"+f.Name || a == "-"+f.Shorthand) && i+1 < len(args) {
			return a + " " + args[i+1]
		}
		if v, ok := strings.CutPrefix(a, "--"+f.Name+"="); ok {
			return "--" + f.Name + " " + v
		}
	}
	placeholder := map[string]string{"file": "FILE", "project-name": "NAME", "project-directory": "DIR",
		"profile": "PROFILE", "env-file": "FILE", "root": "DIR", "progress": "MODE", "ansi": "WHEN", "parallel": "N"}[f.Name]
	if placeholder == "" {
		placeholder = "VALUE"
	}
	return spelled + " " + placeholder
}
