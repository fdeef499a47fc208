//go:build !berth_stage

package engine

// stageBinary is empty without the berth_stage build tag: the stages then run from the
// running binary itself (/proc/self/exe), which must call MaybeRunInit first in main.
const stageBinary = ""

// shimBinary is empty without the berth_stage build tag: Start then reports that this
// binary cannot start containers (build with make).
const shimBinary = ""
