//go:build !berth_stage

package engine

// shimBinary is empty without the berth_stage build tag: Start and Exec then report
// that this binary cannot run containers (build it with make).
const shimBinary = ""
