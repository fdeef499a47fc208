package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/engine/image"
	"github.com/spf13/cobra"
)

func newImageSaveCommand(g *globalOptions) *cobra.Command {
	var output, format string
	cmd := &cobra.Command{
		Use:   "save [OPTIONS] IMAGE [IMAGE...]",
		Short: "Save one or more images to a tar archive (streamed to STDOUT by default)",
		Long: `Save one or more images to a tar archive (streamed to STDOUT by default), as a
docker-save archive or an OCI image layout. berth keeps layers unpacked, so layers
are packed again: same files, config and history, but new layer digests, so the
image loaded from the archive has another image ID.`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeImages(g, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openImageStore(g)
			if err != nil {
				return err
			}
			if output == "" || output == "-" {
				if f, ok := cmd.OutOrStdout().(*os.File); ok && isTerminal(f) {
					return errors.New("cowardly refusing to save to a terminal. Use the -o flag or redirect")
				}
				return s.Save(args, format, cmd.OutOrStdout())
			}
			return saveToFile(output, func(w io.Writer) error { return s.Save(args, format, w) })
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "Write to a file, instead of STDOUT")
	cmd.Flags().StringVar(&format, "format", image.FormatDocker, "Archive format: docker-archive or oci")
	return cmd
}

// saveToFile writes through a temp file beside path, renamed over it once complete:
// an interrupted save leaves no half archive under the name asked for.
func saveToFile(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	defer os.Remove(f.Name())
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return nil
}
