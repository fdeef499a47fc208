package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

// Global --dry-run, as Compose's: a command says what it would do and changes nothing.
// up and create print their plan (up.go), pull and cp the pulls and copies they would
// make, build the images it would build (dryRunBuild); the container verbs print the progress lines
// they would print (project.DryRun) with Compose's " DRY-RUN MODE - " prefix; commands
// that only read run as they are; every other command refuses --dry-run, so that no
// command acts under it (a command added later refuses until it opts in here).

// dryRunAsIs are the commands --dry-run runs as they are: they change nothing, or
// (up, create, pull, cp) show their dry run themselves.
var dryRunAsIs = []string{"config", "convert", "images", "logs", "ls", "port", "ps", "top", "version",
	"completion", "help", "up", "create", "image history", "image inspect", "image ls", "volume inspect",
	"volume ls", "network inspect", "network ls", "system df",
	"pull", "cp"}

// dryRunnable installs the dry run of every container verb of root (project.DryRunVerbs)
// and of build in front of its RunE.
func dryRunnable(root *cobra.Command, g *globalOptions) {
	for _, c := range root.Commands() {
		dry := dryRunVerb
		switch {
		case c.RunE == nil:
			continue
		case c.Name() == "build":
			dry = dryRunBuild
		case !slices.Contains(project.DryRunVerbs, c.Name()):
			continue
		}
		run := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if !g.display.dryRun {
				return run(cmd, args)
			}
			return dry(cmd, g, args)
		}
	}
}

// dryRunBuild prints the Building and Built lines of the images build would build: the
// named services' (all by default) that have a build section.
func dryRunBuild(cmd *cobra.Command, g *globalOptions, args []string) error {
	p, err := loadProject(cmd, g, &configOptions{}, args)
	if err != nil {
		return err
	}
	services := args
	if len(services) == 0 {
		services = p.ServiceNames()
	}
	out := g.progressOut(cmd)
	for _, name := range services {
		svc, ok := p.Services[name]
		if !ok {
			return fmt.Errorf("build: no such service %q", name)
		}
		if svc.Build == nil {
			continue
		}
		ref := project.ImageName(p, name)
		fmt.Fprintf(out, " Image %s  Building\n Image %s  Built\n", ref, ref)
	}
	return nil
}

// dryRunVerb prints what cmd (a container verb) would do to the services args.
func dryRunVerb(cmd *cobra.Command, g *globalOptions, args []string) error {
	name, cfg, err := projectTarget(cmd, g)
	if err != nil {
		return err
	}
	o := project.DryRunOptions{Verb: cmd.Name(), Services: args}
	if cmd.Name() == "down" {
		o.Volumes, _ = cmd.Flags().GetBool("volumes")
	}
	if cmd.Name() == "rm" {
		o.Stopped, _ = cmd.Flags().GetBool("stop")
	}
	return project.DryRun(cfg, name, o, g.progressOut(cmd))
}

// checkDryRun refuses --dry-run for cmd unless it can show what it would do.
func checkDryRun(cmd *cobra.Command, dryRun bool) error {
	if !dryRun || cmd.Root() == cmd {
		return nil
	}
	path := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
	if slices.Contains(dryRunAsIs, path) || slices.Contains(project.DryRunVerbs, path) || path == "build" ||
		strings.HasPrefix(path, "__complete") || strings.HasPrefix(path, "completion") {
		return nil
	}
	return fmt.Errorf("%s: --dry-run is not supported: berth cannot show what it would do without doing it", path)
}
