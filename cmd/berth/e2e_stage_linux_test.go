package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// stageTag is the build tag under which berth embeds the engine's stage binary.
const stageTag = "berth_stage"

// buildStage builds the engine's shim and stage binary where package engine embeds them
// from (engine/shim/berth-shim, engine/stagebin/berth-stage), as `make stage` does,
// each through a temp file and a rename, so that a concurrent build never embeds half
// a file. It returns the compiler's output on failure.
func buildStage() ([]byte, error) {
	if out, err := buildShim(); err != nil {
		return out, err
	}
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

func buildShim() ([]byte, error) {
	dst, err := filepath.Abs("../../engine/shim/berth-shim")
	if err != nil {
		return nil, fmt.Errorf("build shim: %w", err)
	}
	tmp := fmt.Sprintf("%s.%d.tmp", dst, os.Getpid())
	cmd := exec.Command("musl-gcc", "-O2", "-static", "-s", "-o", tmp, "../../engine/shim/shim.c")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return out, fmt.Errorf("build shim: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("build shim: %w", err)
	}
	return nil, nil
}
