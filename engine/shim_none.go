//go:build !berth_shim

package engine

// shimBinary is empty without the berth_shim build tag: Start and Exec then report
// that this binary cannot run containers (build it with make).
const shimBinary = ""
