package main

import (
	"fmt"
	"io"
	"os"

	"github.com/berth-dev/berth/engine/image"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"
)

type imagePullOptions struct {
	platform string
	quiet    bool
}

func newImagePullCommand(g *globalOptions) *cobra.Command {
	opts := &imagePullOptions{}
	cmd := &cobra.Command{
		Use:   "pull REF",
		Short: "Pull an image from a registry (credentials from ~/.docker/config.json or $DOCKER_CONFIG)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openImageStore(g)
			if err != nil {
				return err
			}
			po := image.PullOptions{Progress: os.Stderr, Terminal: isTerminal(os.Stderr)}
			if opts.quiet {
				po.Progress = io.Discard
			}
			if opts.platform != "" {
				p, err := v1.ParsePlatform(opts.platform)
				if err != nil {
					return fmt.Errorf("--platform %q: %w", opts.platform, err)
				}
				po.Platform = p
			}
			img, err := s.Pull(cmd.Context(), args[0], po)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), img.ID)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.platform, "platform", "", "Platform os/arch[/variant] (default: the host's)")
	cmd.Flags().BoolVarP(&opts.quiet, "quiet", "q", false, "Suppress progress output")
	return cmd
}

func newImageLoadCommand(g *globalOptions) *cobra.Command {
	var input string
	cmd := &cobra.Command{
		Use:   "load [-i FILE]",
		Short: "Load images from a docker-save or OCI archive (default: stdin)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openImageStore(g)
			if err != nil {
				return err
			}
			r := cmd.InOrStdin()
			if input != "" && input != "-" {
				f, err := os.Open(input)
				if err != nil {
					return fmt.Errorf("load: %w", err)
				}
				defer f.Close()
				r = f
			}
			imgs, err := s.Load(cmd.Context(), r)
			if err != nil {
				return err
			}
			for _, img := range imgs {
				for _, t := range img.RepoTags {
					fmt.Fprintf(cmd.OutOrStdout(), "Loaded image: %s\n", image.FamiliarName(t))
				}
				if len(img.RepoTags) == 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "Loaded image ID: %s\n", img.ID)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&input, "input", "i", "", "Read from an archive file instead of stdin")
	return cmd
}

func newImageImportCommand(g *globalOptions) *cobra.Command {
	var changes []string
	cmd := &cobra.Command{
		Use:   "import FILE|- [NAME[:TAG]]",
		Short: "Import a rootfs tarball as a one-layer image",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openImageStore(g)
			if err != nil {
				return err
			}
			r := cmd.InOrStdin()
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return fmt.Errorf("import: %w", err)
				}
				defer f.Close()
				r = f
			}
			ref := ""
			if len(args) == 2 {
				ref = args[1]
			}
			img, err := s.Import(cmd.Context(), r, ref, changes)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), img.ID)
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&changes, "change", "c", nil, "Apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, VOLUME, STOPSIGNAL)")
	return cmd
}
