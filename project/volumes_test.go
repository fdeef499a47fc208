package project

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMountedVolumes(t *testing.T) {
	cfg := Config{Root: "/r", RuntimeDir: "/run/x"}
	names := []string{"p_data", "p_logs", "p_other"}
	data, logs := filepath.Join("/r", "volumes", "p_data", "_data"), filepath.Join("/r", "volumes", "p_logs", "_data")
	tests := []struct {
		sources []string
		want    []string
	}{
		{sources: nil, want: nil},
		{sources: []string{data}, want: []string{"p_data"}},
		{sources: []string{logs + "/sub", "/elsewhere"}, want: []string{"p_logs"}},
		{sources: []string{data + "x"}, want: nil}, // another volume's prefix is not it
		{sources: []string{logs, data}, want: []string{"p_data", "p_logs"}},
	}
	for _, tt := range tests {
		got := mountedVolumes(cfg, names, tt.sources)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("mountedVolumes(%q) (-want +got):\n%s", tt.sources, diff)
		}
	}
}
