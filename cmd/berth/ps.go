package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type psOptions struct {
	all      bool
	quiet    bool
	services bool
	format   string
	status   []string
	filter   string
	noTrunc  bool
	orphans  bool
}

func newPSCommand(g *globalOptions) *cobra.Command {
	opts := &psOptions{}
	cmd := &cobra.Command{
		Use:   "ps [SERVICE...]",
		Short: "List containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			status, err := opts.statuses()
			if err != nil {
				return err
			}
			services := args
			if !opts.orphans && len(args) == 0 {
				services = declaredServices(cmd, g)
			}
			list, err := project.PS(cfg, name, project.PSOptions{All: opts.all, Services: services, Status: status})
			if err != nil {
				return err
			}
			return printPS(cmd.OutOrStdout(), list, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.all, "all", "a", false, "Show all stopped containers too")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "Only display IDs")
	f.BoolVar(&opts.services, "services", false, "Display services")
	f.StringVar(&opts.format, "format", "table", "Format output using a custom template: 'table' (default), 'table TEMPLATE', 'json' or a Go template (e.g. {{.Name}})")
	f.StringArrayVar(&opts.status, "status", nil, "Filter services by status: "+strings.Join(project.PSStatuses, ", ")+" (repeatable)")
	f.StringVar(&opts.filter, "filter", "", "Filter services by a property (supported filters: status), as KEY=VALUE")
	f.BoolVar(&opts.noTrunc, "no-trunc", false, "Don't truncate output")
	f.BoolVar(&opts.orphans, "orphans", true, "Include orphaned services (not declared by project)")
	return cmd
}

// declaredServices are the services the compose file declares, for ps --orphans=false;
// nil (every service) when the file cannot be loaded, as Compose lists by name then.
func declaredServices(cmd *cobra.Command, g *globalOptions) []string {
	p, err := loadProject(cmd, g, &configOptions{}, nil)
	if err != nil {
		return nil
	}
	return p.ServiceNames()
}

// statuses are --status plus the value of --filter status=..., as Compose merges them.
func (o *psOptions) statuses() ([]string, error) {
	if o.filter == "" {
		return o.status, nil
	}
	key, value, ok := strings.Cut(o.filter, "=")
	if !ok {
		return nil, fmt.Errorf("ps: --filter %q: want KEY=VALUE", o.filter)
	}
	if key != "status" {
		return nil, fmt.Errorf("ps: --filter %q: unknown filter %q (supported: status)", o.filter, key)
	}
	return append(slices.Clone(o.status), value), nil
}

func printPS(w io.Writer, list []project.ContainerSummary, opts *psOptions) error {
	switch {
	case opts.quiet:
		for _, c := range list {
			fmt.Fprintln(w, c.ID)
		}
	case opts.services:
		seen := map[string]bool{}
		var names []string
		for _, c := range list {
			if !seen[c.Service] {
				seen[c.Service] = true
				names = append(names, c.Service)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintln(w, n)
		}
	case opts.format == "json": // one object a line, as Compose's {{json .}}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, r := range psRows(list, !opts.noTrunc) {
			if err := enc.Encode(r.jsonMap()); err != nil {
				return err
			}
		}
	default:
		table := func(w io.Writer) error { return printPSTable(w, list, opts.noTrunc) }
		return formatRows(w, opts.format, psRows(list, !opts.noTrunc), table, psHeaders)
	}
	return nil
}

func printPSTable(w io.Writer, list []project.ContainerSummary, noTrunc bool) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tIMAGE\tCOMMAND\tSERVICE\tCREATED\tSTATUS\tPORTS")
	for _, c := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, c.Image, commandColumn(c.Command, !noTrunc), c.Service,
			c.CreatedSince(), c.Status, c.Ports())
	}
	return tw.Flush()
}

// commandWidth is how many characters of a command Docker's tables show.
const commandWidth = 20

// commandColumn is the command as Docker's tables show it: cut to commandWidth
// characters, the last one an ellipsis, unless !trunc, then quoted.
func commandColumn(command string, trunc bool) string {
	if r := []rune(command); trunc && len(r) > commandWidth {
		command = string(r[:commandWidth-1]) + "…"
	}
	return strconv.Quote(command)
}
