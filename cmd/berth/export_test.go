package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateOutputPath(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		path string
		err  string
	}{
		{filepath.Join(dir, "out.tar"), ""},
		{"out.tar", ""},
		{filepath.Join(dir, "nope", "out.tar"), `invalid output path: directory "` + filepath.Join(dir, "nope") + `" does not exist`},
	} {
		err := validateOutputPath(tt.path)
		if (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("validateOutputPath(%q) = %v, want %q", tt.path, err, tt.err)
		}
	}
}
