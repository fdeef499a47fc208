package project

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/image"
)

// TestPushSelection: push skips services that are not built or not named, reports a
// failed push (here: an image never built) as an error, or with IgnoreFailures as a
// warning, and refuses unknown services.
func TestPushSelection(t *testing.T) {
	p := loadYAML(t, `name: demo
services:
  db: {image: busybox}
  lib: {build: ., image: "127.0.0.1:1/demo/lib:1"}
  app: {build: {context: ., tags: ["127.0.0.1:1/demo/app:extra"]}, depends_on: [lib]}
`)
	cfg := Config{Root: t.TempDir()}
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		opts PushOptions
		want []string // status lines
		err  error
	}{
		{"named, no image", PushOptions{Services: []string{"app"}}, []string{" Service app  Skipped\n"}, nil},
		{"with deps", PushOptions{Services: []string{"app"}, IncludeDeps: true},
			[]string{" Service app  Skipped\n", " Image 127.0.0.1:1/demo/lib:1  Pushing\n", " Image 127.0.0.1:1/demo/lib:1  Error "}, image.ErrNotFound},
		{"ignore failures", PushOptions{IgnoreFailures: true},
			[]string{" Service db  Skipped\n", " Image 127.0.0.1:1/demo/lib:1  Warning "}, nil},
		{"unknown", PushOptions{Services: []string{"nope"}}, nil, ErrNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			tt.opts.Progress = &out
			err := Push(ctx, cfg, p, tt.opts)
			if (tt.err == nil) != (err == nil) || tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("Push() = %v, want %v", err, tt.err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("Push() output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}
