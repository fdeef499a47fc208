package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine/image"
	"github.com/spf13/cobra"
)

type configOptions struct {
	format        string
	quiet         bool
	services      bool
	volumes       bool
	networks      bool
	profiles      bool
	images        bool
	environment   bool
	variables     bool
	hash          string
	noInterpolate bool
	noNormalize   bool
	output        string

	noResolvePaths  bool
	noEnvResolution bool
	noConsistency   bool
	resolveDigests  bool
}

func newConfigCommand(g *globalOptions) *cobra.Command {
	opts := &configOptions{}
	cmd := &cobra.Command{
		Use:   "config [SERVICE...]",
		Short: "Parse, resolve and render compose file in canonical format",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfig(cmd, g, opts, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "yaml", "Output format: yaml or json")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "Only validate the configuration, print nothing")
	f.BoolVar(&opts.services, "services", false, "Print the service names, one per line")
	f.BoolVar(&opts.volumes, "volumes", false, "Print the volume names, one per line")
	f.BoolVar(&opts.networks, "networks", false, "Print the network names, one per line")
	f.BoolVar(&opts.profiles, "profiles", false, "Print the profile names, one per line")
	f.BoolVar(&opts.images, "images", false, "Print the image names, one per line")
	f.BoolVar(&opts.environment, "environment", false, "Print the environment used for interpolation, KEY=VALUE per line")
	f.StringVar(&opts.hash, "hash", "", "Print the config hash of the services (comma separated, or *)")
	f.BoolVar(&opts.variables, "variables", false, "Print the variables the files refer to, with their default and alternate values")
	f.BoolVar(&opts.noInterpolate, "no-interpolate", false, "Do not interpolate environment variables")
	f.BoolVar(&opts.noNormalize, "no-normalize", false, "Do not normalize the model (no default network, no resource names)")
	f.StringVarP(&opts.output, "output", "o", "", "Write the output to this file instead of stdout")
	f.BoolVar(&opts.noResolvePaths, "no-path-resolution", false, "Don't resolve file paths")
	f.BoolVar(&opts.noConsistency, "no-consistency", false, "Don't check model consistency - warning: may produce invalid Compose output")
	f.BoolVar(&opts.noEnvResolution, "no-env-resolution", false, "Don't resolve service env files")
	f.BoolVar(&opts.resolveDigests, "resolve-image-digests", false, "Pin image tags to digests")
	return cmd
}

func loadProject(cmd *cobra.Command, g *globalOptions, opts *configOptions, services []string) (*compose.Project, error) {
	environ := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			environ[k] = v
		}
	}
	p, err := compose.Load(cmd.Context(), compose.Options{
		Files:         g.files,
		ProjectDir:    g.projectDirectory,
		ProjectName:   g.projectName,
		EnvFiles:      g.envFiles,
		Profiles:      g.profiles,
		Environ:       environ,
		Stdin:         cmd.InOrStdin(),
		NoInterpolate: opts.noInterpolate || opts.variables,
		NoNormalize:   opts.noNormalize,
		Services:      services,

		NoResolvePaths:  opts.noResolvePaths,
		NoEnvResolution: opts.noEnvResolution,
		NoConsistency:   opts.noConsistency,
	})
	if err == nil && !g.warned {
		g.warned = true
		printWarnings(cmd, p.Warnings)
	}
	return p, err
}

// printWarnings prints the loader's warnings on stderr, as "warning: file:line:col:
// path: message" (Compose prints its own as WARN lines).
func printWarnings(cmd *cobra.Command, ws []compose.Warning) {
	for _, w := range ws {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s\n", w)
	}
}

func runConfig(cmd *cobra.Command, g *globalOptions, opts *configOptions, args []string) error {
	p, err := loadProject(cmd, g, opts, args)
	if err != nil {
		return err
	}
	printWarnings(cmd, p.RunWarnings()) // values Compose prints but Docker refuses at up
	if opts.resolveDigests {
		err := p.PinImageDigests(func(ref string) (string, error) { return image.RemoteDigest(cmd.Context(), ref, nil) })
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	if opts.quiet {
		return nil
	}
	out := cmd.OutOrStdout()
	if opts.output != "" {
		f, err := os.Create(opts.output)
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
		defer f.Close()
		out = f
	}
	return renderConfig(out, p, opts, args)
}

func renderConfig(out io.Writer, p *compose.Project, opts *configOptions, args []string) error {
	switch {
	case opts.services:
		return printLines(out, p.ServiceNames())
	case opts.volumes:
		return printLines(out, keysOf(p.Model["volumes"]))
	case opts.networks:
		return printLines(out, keysOf(p.Model["networks"]))
	case opts.profiles:
		return printLines(out, serviceValues(p, "profiles"))
	case opts.images:
		return printLines(out, serviceValues(p, "image"))
	case opts.environment:
		var lines []string
		for k, v := range p.Env {
			lines = append(lines, k+"="+v)
		}
		sort.Strings(lines)
		return printLines(out, lines)
	case opts.variables:
		return printVariables(out, p)
	case opts.hash != "":
		return printHashes(out, p, opts.hash)
	}
	if len(args) > 0 {
		svcs := p.Model["services"].(map[string]any)
		keep := p.Closure(args)
		for n := range svcs {
			if !contains(keep, n) {
				delete(svcs, n)
			}
		}
	}
	var data []byte
	var err error
	switch opts.format {
	case "json":
		data, err = p.JSON()
	case "yaml", "":
		data, err = p.YAML()
	default:
		return fmt.Errorf("config: unsupported format %q (want yaml or json)", opts.format)
	}
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	_, err = out.Write(data)
	return err
}

func printHashes(out io.Writer, p *compose.Project, spec string) error {
	names := strings.Split(spec, ",")
	if spec == "*" {
		names = p.ServiceNames()
	}
	sort.Strings(names) // Compose prints them sorted
	for _, n := range names {
		h, err := p.ServiceHash(strings.TrimSpace(n))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s %s\n", n, h)
	}
	return nil
}

func printLines(out io.Writer, lines []string) error {
	for _, l := range lines {
		if _, err := fmt.Fprintln(out, l); err != nil {
			return err
		}
	}
	return nil
}

func keysOf(v any) []string {
	m, _ := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// serviceValues lists the distinct values of a service key (string or list), sorted.
func serviceValues(p *compose.Project, key string) []string {
	seen := map[string]bool{}
	for _, svc := range p.ServiceModels() {
		switch v := svc[key].(type) {
		case string:
			seen[v] = true
		case []any:
			for _, e := range v {
				seen[fmt.Sprint(e)] = true
			}
		}
	}
	return keysOf(toAnyMap(seen))
}

func toAnyMap(m map[string]bool) map[string]any {
	out := make(map[string]any, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// printVariables prints the table of `docker compose config --variables`, sorted by
// name.
func printVariables(out io.Writer, p *compose.Project) error {
	tw := tabwriter.NewWriter(out, 20, 1, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tREQUIRED\tDEFAULT VALUE\tALTERNATE VALUE")
	for _, v := range p.Variables() {
		fmt.Fprintf(tw, "%s\t%t\t%s\t%s\n", v.Name, v.Required, v.DefaultValue, v.AlternateValue)
	}
	return tw.Flush()
}
