package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

func newExportCommand(g *globalOptions) *cobra.Command {
	var opts project.ContainerOptions
	var output string
	cmd := &cobra.Command{
		Use:   "export [OPTIONS] SERVICE",
		Short: "Export a service container's filesystem as a tar archive",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			eo := opts
			eo.Service, eo.Progress = args[0], g.progressOut(cmd)
			if output == "" {
				if f, ok := cmd.OutOrStdout().(*os.File); ok && isTerminal(f) {
					return errors.New("output option is required when exporting to terminal")
				}
				return project.Export(cfg, name, eo, cmd.OutOrStdout())
			}
			err = validateOutputPath(output)
			if err == nil {
				err = saveToFile(output, func(w io.Writer) error { return project.Export(cfg, name, eo, w) })
			}
			if err == nil {
				err = os.Chmod(output, 0o600) // as Compose's atomic writer makes it
			}
			if err != nil {
				return fmt.Errorf("failed to export container: %w", err)
			}
			return nil
		},
		ValidArgsFunction: completeOneService(g),
	}
	f := cmd.Flags()
	f.IntVar(&opts.Index, "index", 0, "index of the container if service has multiple replicas.")
	f.StringVarP(&output, "output", "o", "", "Write to a file, instead of STDOUT")
	return cmd
}

// validateOutputPath refuses, as the Docker CLI's ValidateOutputPath, an output file
// whose directory does not exist, before anything is exported.
func validateOutputPath(path string) error {
	dir := filepath.Dir(filepath.Clean(path))
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("invalid output path: directory %q does not exist", dir)
	}
	return nil
}
