package main

import (
	"github.com/spf13/cobra"
)

// globalOptions are the flags every project command shares, as Docker Compose's.
type globalOptions struct {
	files            []string
	projectName      string
	projectDirectory string
	profiles         []string
	envFiles         []string
	root             string
}

func newRootCommand() *cobra.Command {
	opts := &globalOptions{}
	root := &cobra.Command{
		Use:           "berth",
		Short:         "Daemonless, Compose-compatible multi-container orchestrator",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Flags before a command belong to berth, after it to the command: `berth -f x.yaml
		// logs -f` reads x.yaml and follows, as Compose.
		TraverseChildren: true,
	}
	flags := root.PersistentFlags()
	flags.StringArrayVarP(&opts.files, "file", "f", nil, "Compose configuration files (repeatable, - for stdin)")
	flags.StringVarP(&opts.projectName, "project-name", "p", "", "Project name")
	flags.StringVar(&opts.projectDirectory, "project-directory", "", "Alternate working directory (default: the directory of the first compose file)")
	flags.StringArrayVar(&opts.profiles, "profile", nil, "Enable a profile (repeatable)")
	flags.StringArrayVar(&opts.envFiles, "env-file", nil, "Alternate environment file (repeatable)")
	flags.StringVar(&opts.root, "root", "", "berth state directory (default $BERTH_ROOT or /var/lib/berth)")

	root.AddCommand(newVersionCommand())
	root.AddCommand(newConfigCommand(opts))
	root.AddCommand(newImageCommand(opts))
	root.AddCommand(newBuildCommand(opts))
	root.AddCommand(newUpCommand(opts))
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
	root.AddCommand(newSuperviseCommand())
	return root
}
