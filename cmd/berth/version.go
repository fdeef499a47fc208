package main

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// versionInfo is `version --format json`: Compose's one key, "version".
type versionInfo struct {
	Version string `json:"version"`
}

func newVersionCommand() *cobra.Command {
	var short bool
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show the berth version information",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			switch {
			case short:
				fmt.Fprintln(out, version)
			case format == "json":
				b, err := json.Marshal(versionInfo{Version: version})
				if err != nil {
					return fmt.Errorf("version: %w", err)
				}
				fmt.Fprintln(out, string(b))
			case format == "pretty" || format == "":
				fmt.Fprintf(out, "berth version %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			default:
				return &codedError{code: syntaxExitCode, err: fmt.Errorf("version: --format %q: want pretty or json", format)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&short, "short", false, "Shows only berth's version number")
	cmd.Flags().StringVarP(&format, "format", "f", "pretty", "Format the output. Values: [pretty | json]")
	return cmd
}
