// Command berth is a daemonless, Docker-Compose-compatible orchestrator for one Linux host.
//
// This package is the CLI only: it parses flags into option structs, calls the library
// packages, prints their results and chooses the exit code. It holds no logic of its own.
// main is the only place that exits: a handler that ends berth with a status other than
// 0 returns it (exitWith), so that its deferred cleanups run.
package main

import "os"

func main() {
	root, g := newRoot()
	err := root.Execute()
	g.closeProgress()
	os.Exit(exitStatus(err, os.Stderr))
}
