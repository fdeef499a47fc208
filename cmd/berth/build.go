package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type buildOptions struct {
	noCache   bool
	pull      bool
	buildArgs []string
	quiet     bool
	push      bool
	deps      bool
	print     bool
}

func newBuildCommand(g *globalOptions) *cobra.Command {
	opts := &buildOptions{}
	cmd := &cobra.Command{
		Use:   "build [SERVICE...]",
		Short: "Build or rebuild services",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBuild(cmd, g, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.noCache, "no-cache", false, "Do not use the layer cache")
	f.BoolVar(&opts.pull, "pull", false, "Always pull newer versions of base images")
	f.StringArrayVar(&opts.buildArgs, "build-arg", nil, "Set a build-time variable, KEY=VALUE (repeatable)")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "Print nothing but errors")
	f.BoolVar(&opts.push, "push", false, "Push service images")
	f.BoolVar(&opts.deps, "with-dependencies", false, "Also build dependencies (transitively)")
	f.BoolVar(&opts.print, "print", false, "Print equivalent bake file")
	return cmd
}

func runBuild(cmd *cobra.Command, g *globalOptions, opts *buildOptions, services []string) error {
	args := map[string]string{}
	for _, kv := range opts.buildArgs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("--build-arg %q: want KEY=VALUE", kv)
		}
		args[k] = v
	}
	p, err := loadProject(cmd, g, &configOptions{}, services)
	if err != nil {
		return err
	}
	cfg, err := projectConfig(g)
	if err != nil {
		return err
	}
	var progress io.Writer = g.progressOut(cmd)
	if opts.quiet {
		progress = nil
	}
	bo := project.BuildOptions{Services: services, NoCache: opts.noCache, Pull: opts.pull, BuildArgs: args,
		Progress: progress, WithDependencies: opts.deps, Push: opts.push}
	if opts.print {
		b, err := project.BakeFile(p, bo, version)
		if err != nil {
			return err
		}
		_, err = cmd.OutOrStdout().Write(b)
		return err
	}
	_, err = project.Build(cmd.Context(), cfg, p, bo)
	return err
}
