package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/berth-dev/berth/housekeep"
	"github.com/spf13/cobra"
)

func newNetworkCommand(g *globalOptions) *cobra.Command {
	return commandGroup("network", "Manage networks",
		newNetworkListCommand(g), newNetworkInspectCommand(g), newNetworkRemoveCommand(g), newNetworkPruneCommand(g))
}

// networkRow is one line of `network ls --format json`, Docker's keys.
type networkRow struct {
	CreatedAt string `json:"CreatedAt"`
	Driver    string `json:"Driver"`
	ID        string `json:"ID"`
	IPv4      string `json:"IPv4"`
	IPv6      string `json:"IPv6"`
	Internal  string `json:"Internal"`
	Labels    string `json:"Labels"`
	Name      string `json:"Name"`
	Scope     string `json:"Scope"`
}

func newNetworkListCommand(g *globalOptions) *cobra.Command {
	var quiet, noTrunc bool
	var format string
	var filters []string
	cmd := &cobra.Command{
		Use:     "ls [OPTIONS]",
		Aliases: []string{"list"},
		Short:   "List networks",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			f, err := housekeep.ParseFilter(filters, time.Now(), "name", "id", "label")
			if err != nil {
				return fmt.Errorf("network ls: %w", err)
			}
			all, err := h.Networks()
			if err != nil {
				return err
			}
			var nets []*housekeep.Network
			for _, n := range all {
				if f.Network(n) {
					nets = append(nets, n)
				}
			}
			return printNetworks(cmd.OutOrStdout(), nets, quiet, noTrunc, format)
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display network IDs")
	cmd.Flags().StringArrayVarP(&filters, "filter", "f", nil, `Provide filter values (e.g. "name=x", "label=k=v")`)
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "Do not truncate the output")
	cmd.Flags().StringVar(&format, "format", "table", "Format output using: table, json or a Go template")
	return cmd
}

func printNetworks(w io.Writer, nets []*housekeep.Network, quiet, noTrunc bool, format string) error {
	rows := make([]networkRow, 0, len(nets))
	for _, n := range nets {
		id := n.ID
		if !noTrunc {
			id = id[:12]
		}
		rows = append(rows, networkRow{Driver: "bridge", ID: id, IPv4: "true", IPv6: strconv.FormatBool(n.Subnet6.IsValid()),
			Internal: strconv.FormatBool(n.Internal), Labels: labelList(n.Labels), Name: n.Name, Scope: "local"})
	}
	if quiet {
		for _, r := range rows {
			fmt.Fprintln(w, r.ID)
		}
		return nil
	}
	table := func(w io.Writer) error {
		tw := dockerTable(w)
		fmt.Fprintln(tw, "NETWORK ID\tNAME\tDRIVER\tSCOPE")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Driver, r.Scope)
		}
		return tw.Flush()
	}
	return formatRows(w, format, rows, table, map[string]string{"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER",
		"Scope": "SCOPE", "IPv4": "IPV4", "IPv6": "IPV6", "Internal": "INTERNAL", "Labels": "LABELS", "CreatedAt": "CREATED AT"})
}

// networkJSON is one network of `network inspect`, with Docker's keys.
type networkJSON struct {
	Name       string                  `json:"Name"`
	ID         string                  `json:"Id"`
	Scope      string                  `json:"Scope"`
	Driver     string                  `json:"Driver"`
	EnableIPv4 bool                    `json:"EnableIPv4"`
	EnableIPv6 bool                    `json:"EnableIPv6"`
	IPAM       networkIPAM             `json:"IPAM"`
	Internal   bool                    `json:"Internal"`
	Attachable bool                    `json:"Attachable"`
	Ingress    bool                    `json:"Ingress"`
	Containers map[string]endpointJSON `json:"Containers"`
	Options    map[string]string       `json:"Options"`
	Labels     map[string]string       `json:"Labels"`
}

type networkIPAM struct {
	Driver  string            `json:"Driver"`
	Options map[string]string `json:"Options"`
	Config  []networkConfig   `json:"Config"`
}

type networkConfig struct {
	Subnet  string `json:"Subnet"`
	Gateway string `json:"Gateway"`
}

type endpointJSON struct {
	Name        string `json:"Name"`
	IPv4Address string `json:"IPv4Address"`
	IPv6Address string `json:"IPv6Address"`
}

func toNetworkJSON(n *housekeep.Network) networkJSON {
	out := networkJSON{Name: n.Name, ID: n.ID, Scope: "local", Driver: "bridge", EnableIPv4: true, Internal: n.Internal,
		EnableIPv6: n.Subnet6.IsValid(),
		IPAM:       networkIPAM{Driver: "default", Options: map[string]string{}, Config: []networkConfig{{Subnet: n.Subnet.String(), Gateway: n.Gateway.String()}}},
		Containers: map[string]endpointJSON{}, Options: map[string]string{"com.docker.network.bridge.name": n.Bridge}, Labels: n.Labels}
	if out.EnableIPv6 {
		out.IPAM.Config = append(out.IPAM.Config, networkConfig{Subnet: n.Subnet6.String(), Gateway: n.Gateway6.String()})
	}
	if out.Labels == nil {
		out.Labels = map[string]string{}
	}
	for id, ep := range n.Containers {
		e := endpointJSON{Name: ep.Name, IPv4Address: fmt.Sprintf("%s/%d", ep.Address, n.Subnet.Bits())}
		if ep.Address6.IsValid() {
			e.IPv6Address = fmt.Sprintf("%s/%d", ep.Address6, n.Subnet6.Bits())
		}
		out.Containers[id] = e
	}
	return out
}

func newNetworkInspectCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:               "inspect NETWORK [NETWORK...]",
		Short:             "Display detailed information on one or more networks",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeNetworks(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			out := []networkJSON{}
			for _, ref := range args {
				n, err := h.Network(ref)
				if err != nil {
					return fmt.Errorf("network inspect: %w", err)
				}
				out = append(out, toNetworkJSON(n))
			}
			return printIndentedJSON(cmd.OutOrStdout(), out)
		},
	}
}

func newNetworkRemoveCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:               "rm NETWORK [NETWORK...]",
		Aliases:           []string{"remove"},
		Short:             "Remove one or more networks",
		Long:              "Remove one or more networks. A network with containers attached, or one a project records (its down removes it), is never removed.",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeNetworks(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			var errs []error
			for _, ref := range args {
				_, err := h.RemoveNetwork(cmd.Context(), ref)
				switch {
				case err == nil:
					fmt.Fprintln(cmd.OutOrStdout(), ref)
				case !force || !housekeep.IsNotFound(err):
					errs = append(errs, fmt.Errorf("network rm: %w", err))
				}
			}
			return errors.Join(errs...)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Do not error if the network does not exist")
	return cmd
}

func newNetworkPruneCommand(g *globalOptions) *cobra.Command {
	var force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove all unused networks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := housekeep.ParseFilter(filters, time.Now(), "label")
			if err != nil {
				return fmt.Errorf("network prune: %w", err)
			}
			if err := confirmPrune(cmd, force, "WARNING! This will remove all custom networks not used by at least one container.", "network prune"); err != nil {
				return err
			}
			h, err := openHousekeeping(g)
			if err != nil {
				return err
			}
			rep, err := h.PruneNetworks(cmd.Context(), f)
			printDeleted(cmd.OutOrStdout(), "Deleted Networks:", rep.Deleted)
			if err != nil {
				return fmt.Errorf("network prune: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Do not prompt for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, `Provide filter values (e.g. "label=k=v")`)
	return cmd
}
