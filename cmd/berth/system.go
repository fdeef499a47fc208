package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/berth-dev/berth/housekeep"
	units "github.com/docker/go-units"
	"github.com/spf13/cobra"
)

func newSystemCommand(g *globalOptions) *cobra.Command {
	return commandGroup("system", "Manage berth", newSystemDfCommand(g), newSystemPruneCommand(g))
}

// dfRow is one line of `system df --format json`, Docker's keys.
type dfRow struct {
	Active      string `json:"Active"`
	Reclaimable string `json:"Reclaimable"`
	Size        string `json:"Size"`
	TotalCount  string `json:"TotalCount"`
	Type        string `json:"Type"`
}

func newSystemDfCommand(g *globalOptions) *cobra.Command {
	var format string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "df [OPTIONS]",
		Short: "Show berth disk usage",
		Long:  "Show berth disk usage. A layer shared by several images, or by images and the build cache, is counted once.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			if verbose {
				d, err := h.DiskUsageDetail()
				if err != nil {
					return err
				}
				return printDiskUsageVerbose(cmd.OutOrStdout(), d, format, time.Now())
			}
			lines, err := h.DiskUsage()
			if err != nil {
				return err
			}
			return printDiskUsage(cmd.OutOrStdout(), lines, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "Format output using: table, json or a Go template")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "Show detailed information on space usage")
	return cmd
}

func dfRows(lines []housekeep.UsageLine) []dfRow {
	rows := make([]dfRow, len(lines))
	for i, l := range lines {
		reclaim := units.HumanSize(float64(l.Reclaimable))
		if l.Size > 0 && l.Type != "Build Cache" {
			reclaim += fmt.Sprintf(" (%d%%)", int(float64(l.Reclaimable)*100/float64(l.Size)))
		}
		rows[i] = dfRow{Active: fmt.Sprint(l.Active), Reclaimable: reclaim, Size: units.HumanSize(float64(l.Size)),
			TotalCount: fmt.Sprint(l.Total), Type: l.Type}
	}
	return rows
}

func printDiskUsage(w io.Writer, lines []housekeep.UsageLine, format string) error {
	rows := dfRows(lines)
	table := func(w io.Writer) error {
		tw := dockerTable(w)
		fmt.Fprintln(tw, "TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable)
		}
		return tw.Flush()
	}
	return formatRows(w, format, rows, table, map[string]string{"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE",
		"Size": "SIZE", "Reclaimable": "RECLAIMABLE"})
}

func newSystemPruneCommand(g *globalOptions) *cobra.Command {
	var opts housekeep.SystemPruneOptions
	var force bool
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove unused data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := confirmPrune(cmd, force, systemPruneWarning(opts), "system prune"); err != nil {
				return err
			}
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			rep, err := h.SystemPrune(cmd.Context(), opts)
			out := cmd.OutOrStdout()
			printDeleted(out, "Deleted Containers:", rep.Containers)
			printDeleted(out, "Deleted Networks:", rep.Networks)
			printDeleted(out, "Deleted Volumes:", rep.Volumes.Deleted)
			printImagePrune(out, rep.Images)
			printDeleted(out, "Deleted build cache objects:", rep.BuildCache.Deleted)
			if err != nil {
				return fmt.Errorf("system prune: %w", err)
			}
			printReclaimed(out, rep.Reclaimed)
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.All, "all", "a", false, "Remove all unused images not just dangling ones")
	f.BoolVar(&opts.Volumes, "volumes", false, "Prune anonymous volumes")
	f.BoolVarP(&force, "force", "f", false, "Do not prompt for confirmation")
	return cmd
}

// systemPruneWarning is Docker's list of what system prune removes.
func systemPruneWarning(opts housekeep.SystemPruneOptions) string {
	items := []string{"all stopped containers", "all networks not used by at least one container"}
	if opts.Volumes {
		items = append(items, "all anonymous volumes not used by at least one container")
	}
	if opts.All {
		items = append(items, "all images without at least one container associated to them", "all build cache")
	} else {
		items = append(items, "all dangling images", "unused build cache")
	}
	return "WARNING! This will remove:\n  - " + strings.Join(items, "\n  - ") + "\n"
}

func newBuilderCommand(g *globalOptions) *cobra.Command {
	return commandGroup("builder", "Manage builds", newBuilderPruneCommand(g))
}

func newBuilderPruneCommand(g *globalOptions) *cobra.Command {
	var all, force bool
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove build cache",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			warning := "WARNING! This will remove all dangling build cache."
			if all {
				warning = "WARNING! This will remove all build cache."
			}
			if err := confirmPrune(cmd, force, warning, "builder prune"); err != nil {
				return err
			}
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			rep, err := h.PruneBuildCache(all)
			printDeleted(cmd.OutOrStdout(), "Deleted build cache objects:", rep.Deleted)
			if err != nil {
				return fmt.Errorf("builder prune: %w", err)
			}
			printReclaimed(cmd.OutOrStdout(), rep.Reclaimed)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "Remove all unused build cache, not just dangling ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Do not prompt for confirmation")
	return cmd
}
