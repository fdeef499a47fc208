package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/berth-dev/berth/housekeep"
	units "github.com/docker/go-units"
	"github.com/spf13/cobra"
)

// openHousekeeping is the housekeeping view of berth's state (--root, environment).
func openHousekeeping(g *globalOptions) (*housekeep.Store, error) {
	cfg, err := projectConfig(g)
	if err != nil {
		return nil, err
	}
	return housekeep.New(cfg), nil
}

// confirmPrune asks Docker's question unless force: warning, then "Are you sure you
// want to continue? [y/N] ". A "no" (or end of input) is the error
// "<what> has been cancelled", so a script that forgot -f fails having removed nothing.
func confirmPrune(cmd *cobra.Command, force bool, warning, what string) error {
	if force {
		return nil
	}
	ok, err := askYesNo(cmd.InOrStdin(), cmd.OutOrStdout(), warning+"\nAre you sure you want to continue? [y/N] ")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s has been cancelled", what)
	}
	return nil
}

// printDeleted prints a prune's section as Docker does: the title, one line per item,
// then an empty line; nothing when items is empty.
func printDeleted(w io.Writer, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintln(w, title)
	for _, it := range items {
		fmt.Fprintln(w, it)
	}
	fmt.Fprintln(w)
}

func printReclaimed(w io.Writer, n int64) {
	fmt.Fprintln(w, "Total reclaimed space:", units.HumanSize(float64(n)))
}

// dockerTable is the tabwriter Docker's CLI formats its tables with.
func dockerTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
}

// labelList is Docker's rendering of labels in tables and JSON lines: "k=v,k2=v2",
// sorted.
func labelList(labels map[string]string) string {
	parts := make([]string, 0, len(labels))
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ",")
}
