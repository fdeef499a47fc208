package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/berth-dev/berth/engine/image"
	units "github.com/docker/go-units"
	"github.com/spf13/cobra"
)

type imageRow struct {
	Repository string `json:"Repository"`
	Tag        string `json:"Tag"`
	ID         string `json:"ID"`
	Created    string `json:"CreatedAt"`
	Size       int64  `json:"Size"`
}

func imageRows(imgs []*image.Image) []imageRow {
	var rows []imageRow
	for _, img := range imgs {
		id := strings.TrimPrefix(img.ID, "sha256:")[:12]
		created := img.Created.Format(time.RFC3339)
		if len(img.RepoTags) == 0 {
			rows = append(rows, imageRow{"<none>", "<none>", id, created, img.Size})
		}
		for _, t := range img.RepoTags {
			short := image.FamiliarName(t)
			repo, tag := short, "<none>"
			if i := strings.LastIndex(short, ":"); i > strings.LastIndex(short, "/") {
				repo, tag = short[:i], short[i+1:]
			}
			rows = append(rows, imageRow{repo, tag, id, created, img.Size})
		}
	}
	return rows
}

func newImageListCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List images",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openImageStore(g)
			if err != nil {
				return err
			}
			imgs, err := s.List()
			if err != nil {
				return err
			}
			rows := imageRows(imgs)
			out := cmd.OutOrStdout()
			switch format {
			case "json":
				enc := json.NewEncoder(out)
				for _, r := range rows {
					if err := enc.Encode(r); err != nil {
						return err
					}
				}
				return nil
			case "", "table":
				tw := tabwriter.NewWriter(out, 0, 0, 3, ' ', 0)
				fmt.Fprintln(tw, "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE")
				for _, r := range rows {
					c, _ := time.Parse(time.RFC3339, r.Created)
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s ago\t%s\n", r.Repository, r.Tag, r.ID,
						units.HumanDuration(time.Since(c)), units.HumanSize(float64(r.Size)))
				}
				return tw.Flush()
			default:
				return fmt.Errorf("--format %q: want table or json", format)
			}
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "Output format: table or json (one object per line)")
	return cmd
}

// newImageRemoveCommand removes images as `docker image rm`: an image a container
// of any project uses (running or stopped) is refused unless --force, and even then
// while one runs; layers containers use always stay.
func newImageRemoveCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:     "rm [OPTIONS] IMAGE [IMAGE...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more images",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			var errs []error
			for _, ref := range args {
				rep, err := h.RemoveImage(ref, force)
				for _, t := range rep.Untagged {
					fmt.Fprintf(cmd.OutOrStdout(), "Untagged: %s\n", image.FamiliarName(t))
				}
				for _, d := range rep.Deleted {
					fmt.Fprintf(cmd.OutOrStdout(), "Deleted: %s\n", d)
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("image rm: %w", err))
				}
			}
			return errors.Join(errs...)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Force removal of the image")
	return cmd
}

func newImageInspectCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "inspect REF...",
		Short: "Show images and their configs as JSON",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openImageStore(g)
			if err != nil {
				return err
			}
			var out []any
			for _, ref := range args {
				img, err := s.Get(ref)
				if err != nil {
					return err
				}
				out = append(out, struct {
					*image.Image
					Config any `json:"config"`
				}{img, img.Config})
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
}
