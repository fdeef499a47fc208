package image

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestApplyChangeVolume(t *testing.T) {
	tests := []struct {
		change string
		want   []string
	}{
		{"VOLUME /data", []string{"/data"}},
		{"VOLUME /a /b", []string{"/a", "/b"}},
		{`VOLUME ["/a", "/b c"]`, []string{"/a", "/b c"}},
	}
	for _, tt := range tests {
		var c v1.Config
		if err := applyChange(&c, tt.change); err != nil {
			t.Fatalf("applyChange(%q): %v", tt.change, err)
		}
		want := map[string]struct{}{}
		for _, v := range tt.want {
			want[v] = struct{}{}
		}
		if !cmp.Equal(c.Volumes, want) {
			t.Errorf("applyChange(%q): Volumes = %v, want %v", tt.change, c.Volumes, want)
		}
	}
}
