package engine

import (
	"os"
	"runtime"
	"syscall"
)

const stageEnv = "_BERTH_ENGINE_STAGE"

// MaybeRunInit runs the engine's re-executed stages (monitor, container init) when the
// process was started as one, and never returns in that case. Otherwise it returns at
// once. Call it first in main and in TestMain of packages whose tests start containers:
// without the embedded stage binary (build tag berth_stage) the stages re-execute the
// running binary, in tests the test binary. The stage binary (./engine/stagebin) is a
// main that calls nothing else.
func MaybeRunInit() {
	switch os.Getenv(stageEnv) {
	case stageExec:
		runtime.LockOSThread()
		runExec()
	}
}

func exitCode(ps *os.ProcessState, err error) (code, sig int) {
	if ps == nil {
		return 255, 0
	}
	ws := ps.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return 128 + int(ws.Signal()), int(ws.Signal())
	}
	return ws.ExitStatus(), 0
}
