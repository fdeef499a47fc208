package compose

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJSONKeyOrder(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": `name: demo
services:
  web:
    image: nginx
    ports: ["8080:80"]
    healthcheck: {test: "true", interval: 90s, retries: 3}
`})
	p, err := Load(context.Background(), Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	// Docker Compose v5.6.0 config --format json, byte for byte (no final newline).
	want := `{
  "name": "demo",
  "networks": {
    "default": {
      "name": "demo_default",
      "ipam": {}
    }
  },
  "services": {
    "web": {
      "command": null,
      "entrypoint": null,
      "image": "nginx",
      "networks": {
        "default": null
      },
      "healthcheck": {
        "test": [
          "CMD-SHELL",
          "true"
        ],
        "interval": "1m30s",
        "retries": 3
      },
      "ports": [
        {
          "mode": "ingress",
          "target": 80,
          "published": "8080",
          "protocol": "tcp"
        }
      ]
    }
  }
}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("JSON() (-want +got):\n%s", diff)
	}
}

func TestServiceHash(t *testing.T) {
	load := func(yaml string) *Project {
		t.Helper()
		p, err := Load(context.Background(), Options{WorkingDir: writeFiles(t, map[string]string{"compose.yaml": yaml})})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := load("services: {a: {image: x}, b: {image: y}}")
	h1, err := base.ServiceHash("a")
	if err != nil {
		t.Fatal(err)
	}
	ignored, _ := load("services: {a: {image: x, pull_policy: always, depends_on: [b], scale: 3}, b: {image: y}}").ServiceHash("a")
	if ignored != h1 {
		t.Errorf("ServiceHash changed with ignored keys: %s != %s", ignored, h1)
	}
	changed, _ := load("services: {a: {image: z}, b: {image: y}}").ServiceHash("a")
	if changed == h1 || len(h1) != 64 || strings.Trim(h1, "0123456789abcdef") != "" {
		t.Errorf("ServiceHash(a) = %s and %s after an image change, want two different sha256 digests", h1, changed)
	}
	if _, err := base.ServiceHash("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ServiceHash(nope) = %v, want ErrNotFound", err)
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    ports: ['80']\n    environment: {A: '1', B: null}\n"})
	p, err := Load(context.Background(), Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.YAML()
	if err != nil {
		t.Fatal(err)
	}
	q, err := Load(context.Background(), Options{Files: []string{"-"}, WorkingDir: dir, Stdin: strings.NewReader(string(out))})
	if err != nil {
		t.Fatalf("Load(YAML()) = %v for\n%s", err, out)
	}
	if diff := cmp.Diff(p.Model, q.Model); diff != "" {
		t.Errorf("YAML() does not round-trip (-first +second):\n%s", diff)
	}
	if strings.Contains(string(out), "command: null") {
		t.Errorf("YAML() =\n%s\nwant null struct fields left out", out)
	}
	if !strings.Contains(string(out), "    ports:\n      - mode: ingress\n        target: 80\n        protocol: tcp\n") {
		t.Errorf("YAML() =\n%s\nwant ports in Compose's key order", out)
	}
}
