package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/berth-dev/berth/housekeep"
	"github.com/spf13/cobra"
)

func newVolumeCommand(g *globalOptions) *cobra.Command {
	return commandGroup("volume", "Manage volumes",
		newVolumeListCommand(g), newVolumeInspectCommand(g), newVolumeRemoveCommand(g), newVolumePruneCommand(g))
}

// volumeRow is one line of `volume ls --format json`, Docker's keys.
type volumeRow struct {
	Availability string `json:"Availability"`
	Driver       string `json:"Driver"`
	Group        string `json:"Group"`
	Labels       string `json:"Labels"`
	Links        string `json:"Links"`
	Mountpoint   string `json:"Mountpoint"`
	Name         string `json:"Name"`
	Scope        string `json:"Scope"`
	Size         string `json:"Size"`
	Status       string `json:"Status"`
}

func newVolumeListCommand(g *globalOptions) *cobra.Command {
	var quiet bool
	var format string
	var filters []string
	cmd := &cobra.Command{
		Use:     "ls [OPTIONS]",
		Aliases: []string{"list"},
		Short:   "List volumes",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			f, err := housekeep.ParseFilter(filters, time.Now(), "dangling", "name", "label")
			if err != nil {
				return fmt.Errorf("volume ls: %w", err)
			}
			all, err := h.Volumes()
			if err != nil {
				return err
			}
			var vols []*housekeep.Volume
			for _, v := range all {
				if f.Volume(v) {
					vols = append(vols, v)
				}
			}
			return printVolumes(cmd.OutOrStdout(), vols, quiet, format)
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display volume names")
	cmd.Flags().StringArrayVarP(&filters, "filter", "f", nil, `Provide filter values (e.g. "dangling=true", "name=x", "label=k=v")`)
	cmd.Flags().StringVar(&format, "format", "table", "Format output using: table, json or a Go template")
	return cmd
}

func printVolumes(w io.Writer, vols []*housekeep.Volume, quiet bool, format string) error {
	if quiet {
		for _, v := range vols {
			fmt.Fprintln(w, v.Name)
		}
		return nil
	}
	rows := make([]volumeRow, 0, len(vols))
	for _, v := range vols {
		rows = append(rows, volumeRow{Availability: "N/A", Driver: v.Driver, Group: "N/A", Labels: labelList(v.Labels), Links: "N/A",
			Mountpoint: v.Mountpoint, Name: v.Name, Scope: v.Scope, Size: "N/A", Status: "N/A"})
	}
	table := func(w io.Writer) error {
		tw := dockerTable(w)
		fmt.Fprintln(tw, "DRIVER\tVOLUME NAME")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\n", r.Driver, r.Name)
		}
		return tw.Flush()
	}
	return formatRows(w, format, rows, table, map[string]string{"Driver": "DRIVER", "Name": "VOLUME NAME",
		"Mountpoint": "MOUNTPOINT", "Labels": "LABELS", "Scope": "SCOPE", "Size": "SIZE", "Links": "LINKS"})
}

// volumeJSON is one volume of `volume inspect`, with Docker's keys and time format.
type volumeJSON struct {
	CreatedAt  string            `json:"CreatedAt"`
	Driver     string            `json:"Driver"`
	Labels     map[string]string `json:"Labels"`
	Mountpoint string            `json:"Mountpoint"`
	Name       string            `json:"Name"`
	Options    map[string]string `json:"Options"`
	Scope      string            `json:"Scope"`
}

func newVolumeInspectCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:               "inspect VOLUME [VOLUME...]",
		Short:             "Display detailed information on one or more volumes",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeVolumes(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			out := []volumeJSON{}
			for _, name := range args {
				v, err := h.Volume(name)
				if err != nil {
					return fmt.Errorf("volume inspect: %w", err)
				}
				out = append(out, volumeJSON{CreatedAt: v.CreatedAt.Format(time.RFC3339), Driver: v.Driver, Labels: v.Labels,
					Mountpoint: v.Mountpoint, Name: v.Name, Options: v.Options, Scope: v.Scope})
			}
			return printIndentedJSON(cmd.OutOrStdout(), out)
		},
	}
}

// printIndentedJSON prints v as Docker's inspect commands do (four spaces).
func printIndentedJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

func newVolumeRemoveCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:               "rm [OPTIONS] VOLUME [VOLUME...]",
		Aliases:           []string{"remove"},
		Short:             "Remove one or more volumes",
		Long:              "Remove one or more volumes. A volume a container uses (running or stopped, of any project) is never removed.",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeVolumes(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			var errs []error
			for _, name := range args {
				err := h.RemoveVolume(name)
				switch {
				case err == nil:
					fmt.Fprintln(cmd.OutOrStdout(), name)
				case !force || !housekeep.IsNotFound(err):
					errs = append(errs, fmt.Errorf("volume rm: %w", err))
				}
			}
			return errors.Join(errs...)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Do not error if a volume does not exist")
	return cmd
}

func newVolumePruneCommand(g *globalOptions) *cobra.Command {
	var all, force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove unused local volumes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			warning := "WARNING! This will remove anonymous local volumes not used by at least one container."
			if all {
				warning = "WARNING! This will remove all local volumes not used by at least one container."
			}
			f, err := housekeep.ParseFilter(filters, time.Now(), "label")
			if err != nil {
				return fmt.Errorf("volume prune: %w", err)
			}
			if err := confirmPrune(cmd, force, warning, "volume prune"); err != nil {
				return err
			}
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			rep, err := h.PruneVolumes(all, f)
			printDeleted(cmd.OutOrStdout(), "Deleted Volumes:", rep.Deleted)
			if err != nil {
				return fmt.Errorf("volume prune: %w", err)
			}
			printReclaimed(cmd.OutOrStdout(), rep.Reclaimed)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "Remove all unused volumes, not just anonymous ones")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, `Provide filter values (e.g. "label=k=v")`)
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Do not prompt for confirmation")
	return cmd
}
