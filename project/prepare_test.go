package project

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestResolveImagesNoBuild(t *testing.T) {
	p := loadYAML(t, `name: demo
services:
  web:
    build: ./web
  api:
    image: reg.example/api:1
    build: ./api
`)
	cfg := Config{Root: t.TempDir()}
	for _, svc := range []string{"web", "api"} {
		_, err := cfg.resolveImages(context.Background(), p, []string{svc}, imagePolicy{NoBuild: true}, io.Discard)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `service "`+svc+`"`) || !strings.Contains(err.Error(), ImageName(p, svc)) {
			t.Errorf("resolveImages(%s, --no-build) = %v, want ErrNotFound naming the service and its image", svc, err)
		}
	}
	ids, err := cfg.localImageIDs(p, PlanOptions{})
	if err != nil || len(ids) != 0 {
		t.Errorf("localImageIDs with an empty store = %v, %v; want none", ids, err)
	}
}
