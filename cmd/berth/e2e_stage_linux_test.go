package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// stageTag is the build tag under which berth embeds the engine's stage binary.
const stageTag = "berth_stage"

// buildStage builds the engine's stage binary where package engine embeds it from
// (engine/stagebin/berth-stage, as `make stage` does), through a temp file and a
// rename, so that a concurrent build never embeds half a file. It returns the go
// command's output on failure.
func buildStage() ([]byte, error) {
	dst, err := filepath.Abs("../../engine/stagebin/berth-stage")
	if err != nil {
		return nil, fmt.Errorf("build stage: %w", err)
	}
	tmp := fmt.Sprintf("%s.%d.tmp", dst, os.Getpid())
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", tmp, "../../engine/stagebin")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return out, fmt.Errorf("build stage: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("build stage: %w", err)
	}
	return nil, nil
}
