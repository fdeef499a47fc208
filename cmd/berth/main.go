// Command berth is a daemonless, Docker-Compose-compatible orchestrator for one Linux host.
//
// This package is the CLI only: it parses flags into option structs, calls the library
// packages, prints their results and chooses the exit code. It holds no logic of its own.
package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	if err := newRootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "berth:", err)
		var coded interface{ ExitCode() int }
		if errors.As(err, &coded) {
			os.Exit(coded.ExitCode())
		}
		os.Exit(1)
	}
}
