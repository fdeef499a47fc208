package project

import (
	"testing"

	"github.com/berth-dev/berth/builder"
	"github.com/berth-dev/berth/compose"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestBuildOptions(t *testing.T) {
	one := "1"
	p := &compose.Project{Name: "demo", Env: map[string]string{"FROM_ENV": "env"},
		Services: map[string]compose.ServiceConfig{"web": {}, "api": {Image: "reg/api:2"}}}
	b := &compose.BuildConfig{Context: "/src", Dockerfile: "docker/Dockerfile", Target: "prod",
		Args:   compose.MappingWithEquals{"ONE": &one, "FROM_ENV": nil, "UNSET": nil, "OVER": &one},
		Labels: compose.Labels{"a": "b"}, Tags: compose.StringList{"extra:1"}, NoCache: true}
	got, err := buildOptions(p, "web", b, BuildOptions{Pull: true, BuildArgs: map[string]string{"OVER": "cli"}})
	if err != nil {
		t.Fatalf("buildOptions = %v", err)
	}
	want := builder.Options{ContextDir: "/src", Dockerfile: "docker/Dockerfile", Target: "prod",
		BuildArgs: map[string]string{"ONE": "1", "FROM_ENV": "env", "OVER": "cli"},
		Labels:    map[string]string{"a": "b"}, NoCache: true, Pull: builder.PullAlways,
		Tags: []string{"demo-web", "extra:1"}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(builder.Options{})); diff != "" {
		t.Errorf("buildOptions mismatch (-want +got):\n%s", diff)
	}
	if n := ImageName(p, "api"); n != "reg/api:2" {
		t.Errorf("ImageName(api) = %q, want reg/api:2", n)
	}
	if _, err := buildOptions(p, "web", &compose.BuildConfig{Context: "https://github.com/x/y.git"}, BuildOptions{}); err == nil {
		t.Errorf("buildOptions with a git URL context = nil error, want unsupported")
	}
}
