package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// shimTag is the build tag under which berth embeds the engine's shim.
const shimTag = "berth_shim"

// buildShim builds the engine's shim where package engine embeds it from
// (engine/shim/berth-shim), as `make shim` does, through a temp file and a rename, so
// that a concurrent build never embeds half a file. It returns the compiler's output on
// failure.
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
