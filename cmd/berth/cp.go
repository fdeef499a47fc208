package main

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type cpOptions struct {
	index      int
	archive    bool
	followLink bool
	all        bool
}

func newCpCommand(g *globalOptions) *cobra.Command {
	opts := &cpOptions{}
	cmd := &cobra.Command{
		Use:   "cp [OPTIONS] SERVICE:SRC_PATH DEST_PATH\n  berth cp [OPTIONS] SRC_PATH SERVICE:DEST_PATH",
		Short: "Copy files/folders between a service container and the local filesystem",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			co, err := cpArgs(args[0], args[1])
			if err != nil {
				return err
			}
			co.Index, co.Archive, co.FollowLink, co.All = opts.index, opts.archive, opts.followLink, opts.all
			co.Progress, co.DryRun = g.progressOut(cmd), g.display.dryRun
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			return project.Copy(cfg, name, co)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.index, "index", 0, "Index of the container if service has multiple replicas (default: into every container, out of the first running)")
	f.BoolVar(&opts.all, "all", false, "Include containers created by the run command")
	f.BoolVarP(&opts.archive, "archive", "a", false, "Archive mode (copy all uid/gid information)")
	f.BoolVarP(&opts.followLink, "follow-link", "L", false, "Always follow symbol link in SRC_PATH")
	return cmd
}

// cpArgs tells the container side from the host side as docker cp does: a path that
// starts with "/" or "." is local even when it holds a colon; otherwise SERVICE:PATH.
func cpArgs(src, dst string) (project.CopyOptions, error) {
	srcSvc, srcPath := splitCpArg(src)
	dstSvc, dstPath := splitCpArg(dst)
	switch {
	case src == "-" || dst == "-":
		return project.CopyOptions{}, fmt.Errorf("cp: tar streams (-) are not supported: give a path")
	case srcSvc != "" && dstSvc != "":
		return project.CopyOptions{}, fmt.Errorf("cp: copying between containers is not supported: one of %q and %q must be a local path", src, dst)
	case srcSvc == "" && dstSvc == "":
		return project.CopyOptions{}, fmt.Errorf("cp: one of %q and %q must be SERVICE:PATH", src, dst)
	case srcPath == "" || dstPath == "":
		return project.CopyOptions{}, fmt.Errorf("cp: empty path in %q %q", src, dst)
	case srcSvc != "":
		return project.CopyOptions{Service: srcSvc, Source: srcPath, Dest: dstPath}, nil
	}
	return project.CopyOptions{Service: dstSvc, ToContainer: true, Source: srcPath, Dest: dstPath}, nil
}

func splitCpArg(arg string) (service, path string) {
	if strings.HasPrefix(arg, "/") || strings.HasPrefix(arg, ".") {
		return "", arg
	}
	if svc, p, ok := strings.Cut(arg, ":"); ok {
		return svc, p
	}
	return "", arg
}
