package project

import (
	"errors"
	"slices"
	"testing"
)

func TestPullServices(t *testing.T) {
	p := loadYAML(t, `name: demo
services:
  db: {image: busybox}
  cache: {image: busybox}
  app: {image: busybox, depends_on: [db, cache]}
  web: {image: busybox, depends_on: [app]}
`)
	tests := []struct {
		opts PullOptions
		want []string
	}{
		{PullOptions{}, []string{"app", "cache", "db", "web"}},
		{PullOptions{Services: []string{"web"}}, []string{"web"}},
		{PullOptions{Services: []string{"web"}, IncludeDeps: true}, []string{"app", "cache", "db", "web"}},
		{PullOptions{Services: []string{"app", "db"}, IncludeDeps: true}, []string{"app", "cache", "db"}},
		{PullOptions{Services: []string{"db", "db"}}, []string{"db"}},
	}
	for _, tt := range tests {
		if got, err := pullServices(p, tt.opts); err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("pullServices(%+v) = %q, %v; want %q", tt.opts, got, err, tt.want)
		}
	}
	if _, err := pullServices(p, PullOptions{Services: []string{"nope"}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("pullServices(nope) = %v, want ErrNotFound", err)
	}
}
