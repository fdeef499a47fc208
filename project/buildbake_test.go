package project

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/google/go-cmp/cmp"
)

var updateBake = flag.Bool("update-bake", false, "rewrite testdata/bakeprint/want-*.json from BakeFile")

// TestBakeFile: build --print prints the bake file Docker Compose v5.6.0 prints for the
// same project (want-*.json are its output, with the project dir as $DIR and the
// default group sorted: Compose lists it in map order).
func TestBakeFile(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "bakeprint"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := compose.Load(context.Background(), compose.Options{Files: []string{filepath.Join(dir, "compose.yaml")},
		Environ: map[string]string{"HOME": "/root", "A": "x", "FROM_ENV": "fromenv"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		golden string
		opts   BuildOptions
	}{
		{"want-app.json", BuildOptions{Services: []string{"app"}}},
		{"want-all-push.json", BuildOptions{Push: true}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			b, err := BakeFile(p, tt.opts, "")
			if err != nil {
				t.Fatalf("BakeFile() = %v", err)
			}
			got := strings.ReplaceAll(string(b), dir, "$DIR")
			path := filepath.Join(dir, tt.golden)
			if *updateBake {
				os.WriteFile(path, []byte(got), 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("BakeFile() differs from Compose's (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildServices(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("testdata", "bakeprint"))
	p, err := compose.Load(context.Background(), compose.Options{Files: []string{filepath.Join(dir, "compose.yaml")}, Environ: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	p.Services["web"] = compose.ServiceConfig{Name: "web", Build: &compose.BuildConfig{Context: dir}}
	p.Model["services"].(map[string]any)["web"] = map[string]any{"depends_on": map[string]any{"app": map[string]any{}, "db": map[string]any{}}}
	for _, tt := range []struct {
		opts BuildOptions
		want []string
	}{
		{BuildOptions{}, []string{"lib.v2", "app", "lib_v2", "web"}},
		{BuildOptions{Services: []string{"web"}}, []string{"web"}},
		{BuildOptions{Services: []string{"web"}, WithDependencies: true}, []string{"lib.v2", "app", "web"}},
		{BuildOptions{Services: []string{"app"}}, []string{"lib.v2", "app"}},
	} {
		got, err := buildServices(p, tt.opts)
		if err != nil {
			t.Fatalf("buildServices(%+v) = %v", tt.opts, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("buildServices(%+v) (-want +got):\n%s", tt.opts, diff)
		}
	}
	if _, err := buildServices(p, BuildOptions{Services: []string{"db"}}); err == nil {
		t.Error("buildServices(db, no build section) = nil error")
	}
	if _, err := buildServices(p, BuildOptions{Services: []string{"nope"}}); err == nil {
		t.Error("buildServices(unknown) = nil error")
	}
}
