package compose

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPinImageDigests(t *testing.T) {
	dir := t.TempDir()
	const d1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	const d2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	yaml := `services:
  web: {image: "nginx:1.25", volumes: [{type: image, source: "localhost:5000/data:1", target: /d}]}
  api: {image: "nginx:1.25"}
  pinned: {image: "busybox@` + d2 + `"}
  built: {build: .}
`
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(context.Background(), Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	err = p.PinImageDigests(func(ref string) (string, error) {
		asked = append(asked, ref)
		return d1, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	svcs := p.ServiceModels()
	want := map[string]any{"web": "docker.io/library/nginx:1.25@" + d1, "api": "docker.io/library/nginx:1.25@" + d1,
		"pinned": "docker.io/library/busybox@" + d2, "built": nil}
	for n, w := range want {
		if got := svcs[n]["image"]; got != w {
			t.Errorf("services.%s.image = %v, want %v", n, got, w)
		}
	}
	vol := svcs["web"]["volumes"].([]any)[0].(map[string]any)
	if vol["source"] != "localhost:5000/data:1@"+d1 {
		t.Errorf("image volume source = %v, want pinned", vol["source"])
	}
	if strings.Join(asked, " ") != "docker.io/library/nginx:1.25 localhost:5000/data:1" {
		t.Errorf("resolved %q, want each image without a digest once", asked)
	}
	failing := errors.New("registry down")
	err = p.PinImageDigests(func(string) (string, error) { return "", failing })
	if err != nil {
		t.Errorf("PinImageDigests of pinned images = %v, want no lookup", err)
	}
	p2, _ := Load(context.Background(), Options{WorkingDir: dir})
	if err := p2.PinImageDigests(func(string) (string, error) { return "", failing }); !errors.Is(err, failing) || !strings.Contains(err.Error(), "services.") {
		t.Errorf("PinImageDigests with a failing lookup = %v, want it wrapped with the field", err)
	}
}
