package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/berth-dev/berth/project"
	units "github.com/docker/go-units"
	"github.com/spf13/cobra"
)

type imagesOptions struct {
	quiet  bool
	format string
}

func newImagesCommand(g *globalOptions) *cobra.Command {
	opts := &imagesOptions{}
	cmd := &cobra.Command{
		Use:   "images [SERVICE...]",
		Short: "List images used by the created containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			list, err := project.Images(cfg, name, project.ImagesOptions{Services: args})
			if err != nil {
				return err
			}
			return printImages(cmd.OutOrStdout(), list, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "Only display IDs")
	f.StringVar(&opts.format, "format", "table", "Format the output: table or json")
	return cmd
}

// printImages prints as `docker compose images`: -q the distinct image IDs (hex only),
// json one array, table CONTAINER REPOSITORY TAG IMAGE ID SIZE.
func printImages(w io.Writer, list []project.ImageSummary, opts *imagesOptions) error {
	switch {
	case opts.quiet:
		var ids []string
		for _, s := range list {
			id := strings.TrimPrefix(s.ID, "sha256:")
			if id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
				fmt.Fprintln(w, id)
			}
		}
		return nil
	case opts.format == "json":
		if list == nil {
			list = []project.ImageSummary{}
		}
		b, err := json.Marshal(list)
		if err != nil {
			return fmt.Errorf("images: %w", err)
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	case opts.format == "table" || opts.format == "":
		tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
		fmt.Fprintln(tw, "CONTAINER\tREPOSITORY\tTAG\tIMAGE ID\tSIZE")
		for _, s := range list {
			id, size := "<none>", "0B"
			if s.ID != "" {
				id = strings.TrimPrefix(s.ID, "sha256:")[:12]
				size = units.HumanSizeWithPrecision(float64(s.Size), 3)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ContainerName, s.Repository, s.Tag, id, size)
		}
		return tw.Flush()
	}
	return fmt.Errorf("images: --format %q: want table or json", opts.format)
}
