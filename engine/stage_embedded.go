//go:build berth_stage

package engine

import _ "embed" // the stage binary

// stageBinary is the stage binary (package engine's stages and nothing else), built by
// `make stage` from ./engine/stagebin before berth is built with -tags berth_stage.
//
//go:embed stagebin/berth-stage
var stageBinary string

// shimBinary is the container shim (engine/shim/shim.c), built by `make stage` with a C
// compiler into engine/shim/berth-shim: the per-container monitor and the container's
// PID 1 until its execve.
//
//go:embed shim/berth-shim
var shimBinary string
