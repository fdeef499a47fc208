package main

import (
	"fmt"

	"github.com/berth-dev/berth/kube"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
)

type convertOptions struct {
	output        string
	namespace     string
	format        string
	publishedType string
	hostPath      bool
	volumeSize    string
	waitImage     string
	kubectlImage  string
}

func newConvertCommand(g *globalOptions) *cobra.Command {
	opts := &convertOptions{}
	cmd := &cobra.Command{
		Use:   "convert [SERVICE...]",
		Short: "Convert the project to Kubernetes manifests",
		Long: "Convert the project to Kubernetes manifests: Deployments, StatefulSets and Jobs, Services,\n" +
			"ConfigMaps, Secrets, PersistentVolumeClaims and NetworkPolicies. What has no Kubernetes\n" +
			"meaning is warned of on stderr with its file:line:col. Without -o the manifests are\n" +
			"printed as one YAML stream.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConvert(cmd, g, opts, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.output, "output", "o", "", "Write the manifests into this directory (one file per object)")
	f.StringVar(&opts.namespace, "namespace", "", "Namespace of every object (default: none, kubectl's current)")
	f.StringVar(&opts.format, "format", "yaml", "Layout of -o: yaml, kustomize (with kustomization.yaml) or helm (a chart)")
	f.StringVar(&opts.publishedType, "published-type", "ClusterIP", "Service type of published ports: ClusterIP, NodePort or LoadBalancer")
	f.BoolVar(&opts.hostPath, "host-path", false, "Mount bind mounts as hostPath volumes (the node's directories) instead of leaving them out")
	f.StringVar(&opts.volumeSize, "volume-size", kube.DefaultVolumeSize, "Storage request of each named volume's PersistentVolumeClaim")
	f.StringVar(&opts.waitImage, "wait-image", kube.DefaultWaitImage, "Image of the init containers that wait for a healthy dependency (sh and nslookup)")
	f.StringVar(&opts.kubectlImage, "kubectl-image", kube.DefaultKubectlImage, "Image of the init containers that wait for a one-shot dependency's Job (kubectl)")
	return cmd
}

func runConvert(cmd *cobra.Command, g *globalOptions, opts *convertOptions, args []string) error {
	if opts.format != string(kube.FormatYAML) && opts.output == "" {
		return fmt.Errorf("convert: --format %s writes a directory: give -o DIR", opts.format)
	}
	p, err := loadProject(cmd, g, &configOptions{}, args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		keep := map[string]bool{}
		for _, n := range p.Closure(args) {
			keep[n] = true
		}
		for n := range p.Services {
			if !keep[n] {
				delete(p.Services, n)
			}
		}
	}
	res, err := kube.Convert(p, kube.Options{
		Namespace:     opts.namespace,
		PublishedType: corev1.ServiceType(opts.publishedType),
		HostPath:      opts.hostPath,
		VolumeSize:    opts.volumeSize,
		WaitImage:     opts.waitImage,
		KubectlImage:  opts.kubectlImage,
	})
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	printWarnings(cmd, res.Warnings)
	if opts.output == "" {
		data, err := kube.Stream(res.Objects)
		if err != nil {
			return fmt.Errorf("convert: %w", err)
		}
		_, err = cmd.OutOrStdout().Write(data)
		return err
	}
	files, err := kube.WriteDir(opts.output, kube.Format(opts.format), p.Name, res.Objects)
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d files to %s\n", len(files), opts.output)
	return nil
}
