package main

import (
	"strings"

	"github.com/berth-dev/berth/engine/image"
	"github.com/spf13/cobra"
)

// Shell completion of the names the housekeeping commands take: volumes, networks
// and image tags from berth's store (--root and BERTH_ROOT as the command would use).

func completeVolumes(g *globalOptions) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		if h, err := openHousekeeping(g); err == nil {
			vols, _ := h.Volumes()
			for _, v := range vols {
				names = append(names, v.Name)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

func completeNetworks(g *globalOptions) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		if h, err := openHousekeeping(g); err == nil {
			nets, _ := h.Networks()
			for _, n := range nets {
				names = append(names, n.Name)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeImages offers the stored tags (short form); with single, only for the
// first argument (image tag's target is a new name).
func completeImages(g *globalOptions, single bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if single && len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		if s, err := openImageStore(g); err == nil {
			imgs, _ := s.List()
			for _, img := range imgs {
				for _, t := range img.RepoTags {
					names = append(names, image.FamiliarName(t))
				}
				if len(img.RepoTags) == 0 {
					names = append(names, strings.TrimPrefix(img.ID, "sha256:")[:12])
				}
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeServices offers the services the compose file declares.
func completeServices(g *globalOptions) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		g.warned = true // no loader warnings in the middle of a completion
		p, err := loadProject(cmd, g, &configOptions{}, nil)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return p.ServiceNames(), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeScale offers SERVICE= for each service the compose file declares.
func completeScale(g *globalOptions) cobra.CompletionFunc {
	services := completeServices(g)
	return func(cmd *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		names, _ := services(cmd, args, prefix)
		for i, n := range names {
			names[i] = n + "="
		}
		return names, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// completeOneService is completeServices for a command that takes one service.
func completeOneService(g *globalOptions) cobra.CompletionFunc {
	services := completeServices(g)
	return func(cmd *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return services(cmd, args, prefix)
	}
}
