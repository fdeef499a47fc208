//go:build berth_stage

package engine

import _ "embed" // the stage binary

// stageBinary is the stage binary (package engine's stages and nothing else), built by
// `make stage` from ./engine/stagebin before berth is built with -tags berth_stage.
//
//go:embed stagebin/berth-stage
var stageBinary string
