package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestImageConfig(t *testing.T) {
	img := v1.Config{Entrypoint: []string{"/ep"}, Cmd: []string{"run"}, Env: []string{"PATH=/bin", "A=1"},
		WorkingDir: "/img", User: "app", Labels: map[string]string{"l": "v"}}
	for _, tt := range []struct {
		name string
		spec Spec
		want v1.Config
	}{
		{"image's", Spec{Image: img, Hostname: "h"},
			v1.Config{Entrypoint: []string{"/ep"}, Cmd: []string{"run"}, Env: []string{"PATH=/bin", "A=1"},
				WorkingDir: "/img", User: "app", Labels: map[string]string{"l": "v"}}},
		{"entrypoint drops the image's cmd", Spec{Image: img, Entrypoint: []string{"/other"}},
			v1.Config{Entrypoint: []string{"/other"}, Env: []string{"PATH=/bin", "A=1"},
				WorkingDir: "/img", User: "app", Labels: map[string]string{"l": "v"}}},
		{"run's values", Spec{Image: img, Cmd: []string{"x"}, Env: []string{"A=2", "B=3"}, WorkingDir: "/w", User: "0",
			Labels: map[string]string{"l": "w", "com.docker.compose.service": "web"}},
			v1.Config{Entrypoint: []string{"/ep"}, Cmd: []string{"x"}, Env: []string{"PATH=/bin", "A=2", "B=3"},
				WorkingDir: "/w", User: "0", Labels: map[string]string{"l": "w", "com.docker.compose.service": "web"}}},
		{"labels without the image's", Spec{Image: v1.Config{Cmd: []string{"c"}}, Labels: map[string]string{"a": "b"}},
			v1.Config{Cmd: []string{"c"}, Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
				Labels: map[string]string{"a": "b"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.spec.ImageConfig()); diff != "" {
				t.Errorf("ImageConfig() (-want +got):\n%s", diff)
			}
		})
	}
}
