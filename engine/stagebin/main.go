// Command stagebin is the small binary that runs the engine's re-executed stages:
// the per-container monitor, container init and the exec stage. It holds package
// engine and nothing else, so each stage starts a fraction of the full berth binary's
// start cost. `make stage` builds it into engine/stagebin/berth-stage (gitignored), and
// berth built with the build tag berth_stage embeds that file; see package engine's
// doc comment. Started by hand, with no stage named in the environment, it exits 2.
package main

import (
	"os"

	"github.com/berth-dev/berth/engine"
)

func main() {
	engine.MaybeRunInit() // never returns when a stage is named
	os.Stderr.WriteString("berth-stage: no engine stage named in the environment: this binary is started by berth's engine, not by hand\n")
	os.Exit(2)
}
