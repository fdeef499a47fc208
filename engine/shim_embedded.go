//go:build berth_shim

package engine

import _ "embed" // the shim

// shimBinary is the container shim (engine/shim/shim.c), built by `make shim` with
// musl-gcc into engine/shim/berth-shim: each container's monitor, its PID 1 until the
// execve, and the exec helper.
//
//go:embed shim/berth-shim
var shimBinary string
