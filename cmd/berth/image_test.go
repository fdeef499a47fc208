package main

import (
	"testing"

	"github.com/berth-dev/berth/engine/image"
)

func TestStateRoot(t *testing.T) {
	tests := []struct {
		name, flag, env, want string
	}{
		{"flag wins", "/flag", "/env", "/flag"},
		{"env", "", "/env", "/env"},
		{"default", "", "", "/var/lib/berth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("BERTH_ROOT", tt.env)
			if got := stateRoot(&globalOptions{root: tt.flag}); got != tt.want {
				t.Errorf("stateRoot(root=%q, BERTH_ROOT=%q) = %q, want %q", tt.flag, tt.env, got, tt.want)
			}
		})
	}
}

func TestImageRows(t *testing.T) {
	tests := []struct{ tag, repo, want string }{
		{"docker.io/library/redis:7", "redis", "7"},
		{"docker.io/bitnami/redis:latest", "bitnami/redis", "latest"},
		{"localhost:5000/x/y:1", "localhost:5000/x/y", "1"},
	}
	for _, tt := range tests {
		img := &image.Image{ID: "sha256:0123456789abcdef0123", RepoTags: []string{tt.tag}}
		rows := imageRows([]*image.Image{img})
		if len(rows) != 1 || rows[0].Repository != tt.repo || rows[0].Tag != tt.want {
			t.Errorf("imageRows(%q) = %+v, want %s %s", tt.tag, rows, tt.repo, tt.want)
		}
	}
}
