package image

import (
	"errors"
	"testing"
)

func TestNormalizeRef(t *testing.T) {
	tests := []struct{ in, want, familiar string }{
		{"redis", "docker.io/library/redis:latest", "redis:latest"},
		{"redis:7", "docker.io/library/redis:7", "redis:7"},
		{"bitnami/redis:7", "docker.io/bitnami/redis:7", "bitnami/redis:7"},
		{"localhost:5000/x:y", "localhost:5000/x:y", "localhost:5000/x:y"},
		{"quay.io/a/b", "quay.io/a/b:latest", "quay.io/a/b:latest"},
	}
	for _, tt := range tests {
		got, err := NormalizeRef(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeRef(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
		if f := FamiliarName(got); f != tt.familiar {
			t.Errorf("FamiliarName(%q) = %q, want %q", got, f, tt.familiar)
		}
	}
	if _, err := NormalizeRef("UPPER/Case"); !errors.Is(err, ErrInvalid) {
		t.Errorf("NormalizeRef(UPPER/Case) = %v, want ErrInvalid", err)
	}
}
