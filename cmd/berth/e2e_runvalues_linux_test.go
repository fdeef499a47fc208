package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestE2EUpRefusesRunValues: up refuses values Docker's engine refuses, every one at
// once at its file:line:col, and makes nothing (the cleanup checks no kernel object
// leaked).
func TestE2EUpRefusesRunValues(t *testing.T) {
	e := newMiscE2E(t)
	file := writeCompose(t, runValuesYAML)
	_, errs, err := e.berth("-f", file, "up", "-d")
	if err == nil || !containsInOrder(errs, runValuesWant) {
		t.Errorf("up = %v, stderr %q; want an error listing %q", err, errs, runValuesWant)
	}
	if _, err := os.Stat(filepath.Join(e.root, "projects", e.project)); !os.IsNotExist(err) {
		t.Errorf("project dir after the refused up: %v, want none", err)
	}
}
