package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/housekeep"
	units "github.com/docker/go-units"
	"github.com/spf13/cobra"
)

func newImagePruneCommand(g *globalOptions) *cobra.Command {
	var all, force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove unused images",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			warning := "WARNING! This will remove all dangling images."
			if all {
				warning = "WARNING! This will remove all images without at least one container associated to them."
			}
			f, err := housekeep.ParseFilter(filters, time.Now(), "until", "label")
			if err != nil {
				return fmt.Errorf("image prune: %w", err)
			}
			if err := confirmPrune(cmd, force, warning, "image prune"); err != nil {
				return err
			}
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			rep, err := h.PruneImages(all, f)
			printImagePrune(cmd.OutOrStdout(), rep)
			if err != nil {
				return fmt.Errorf("image prune: %w", err)
			}
			printReclaimed(cmd.OutOrStdout(), rep.Reclaimed)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "Remove all unused images, not just dangling ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Do not prompt for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, `Provide filter values (e.g. "until=<timestamp>", "label=k=v")`)
	return cmd
}

// printImagePrune prints Docker's "Deleted Images:" section: untagged tags, then
// deleted IDs.
func printImagePrune(w io.Writer, rep image.PruneReport) {
	var lines []string
	for _, t := range rep.Untagged {
		lines = append(lines, "untagged: "+image.FamiliarName(t))
	}
	for _, d := range rep.Deleted {
		lines = append(lines, "deleted: "+d)
	}
	printDeleted(w, "Deleted Images:", lines)
}

func newImageTagCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:               "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
		Short:             "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: completeImages(g, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openImageStore(g)
			if err != nil {
				return err
			}
			return s.Tag(args[0], args[1])
		},
	}
}

// historyRow is one line of `image history --format json`, Docker's keys.
type historyRow struct {
	Comment      string `json:"Comment"`
	CreatedAt    string `json:"CreatedAt"`
	CreatedBy    string `json:"CreatedBy"`
	CreatedSince string `json:"CreatedSince"`
	ID           string `json:"ID"`
	Size         string `json:"Size"`
}

type historyOptions struct {
	human, noTrunc, quiet bool
	format                string
}

func newImageHistoryCommand(g *globalOptions) *cobra.Command {
	opts := &historyOptions{}
	cmd := &cobra.Command{
		Use:               "history [OPTIONS] IMAGE",
		Short:             "Show the history of an image",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeImages(g, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openImageStore(g)
			if err != nil {
				return err
			}
			img, err := s.Get(args[0])
			if err != nil {
				return err
			}
			return printHistory(cmd.OutOrStdout(), img, s.History(img), opts, time.Now())
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.human, "human", "H", true, "Print sizes and dates in human readable format")
	f.BoolVar(&opts.noTrunc, "no-trunc", false, "Don't truncate output")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "Only show image IDs")
	f.StringVar(&opts.format, "format", "table", "Format output using: table, json or a Go template")
	return cmd
}

// historyRows renders h as Docker does: the image's ID on the newest step and
// <missing> below (berth keeps no intermediate images), CREATED BY cut to 45
// characters unless noTrunc.
func historyRows(img *image.Image, h []image.HistoryEntry, opts *historyOptions, now time.Time) []historyRow {
	rows := make([]historyRow, len(h))
	for i, e := range h {
		id := "<missing>"
		if i == 0 {
			id = img.ID
			if !opts.noTrunc {
				id = strings.TrimPrefix(id, "sha256:")[:12]
			}
		}
		by := strings.ReplaceAll(e.CreatedBy, "\t", " ")
		if !opts.noTrunc && len([]rune(by)) > 45 {
			by = string([]rune(by)[:44]) + "…"
		}
		r := historyRow{Comment: e.Comment, CreatedBy: by, ID: id,
			CreatedAt: e.Created.Format(time.RFC3339), Size: fmt.Sprint(e.Size)}
		r.CreatedSince = r.CreatedAt
		if opts.human {
			r.CreatedSince = units.HumanDuration(now.Sub(e.Created)) + " ago"
			r.Size = units.HumanSizeWithPrecision(float64(e.Size), 3)
		}
		rows[i] = r
	}
	return rows
}

func printHistory(w io.Writer, img *image.Image, h []image.HistoryEntry, opts *historyOptions, now time.Time) error {
	rows := historyRows(img, h, opts, now)
	if opts.quiet {
		for _, r := range rows {
			fmt.Fprintln(w, r.ID)
		}
		return nil
	}
	table := func(w io.Writer) error {
		tw := dockerTable(w)
		fmt.Fprintln(tw, "IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.CreatedSince, r.CreatedBy, r.Size, r.Comment)
		}
		return tw.Flush()
	}
	return formatRows(w, opts.format, rows, table, map[string]string{"ID": "IMAGE", "CreatedSince": "CREATED",
		"CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT"})
}
