package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConvertCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	yaml := "name: shop\nservices:\n  web:\n    image: nginx:1.27\n    ports: [\"8080:80\"]\n    depends_on: [db]\n    volumes: [\"./site:/usr/share/nginx/html\"]\n  db: {image: postgres:17}\n  other: {image: busybox:1.36}\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	tests := []struct {
		args     []string
		stdout   []string // substrings of stdout
		stderr   []string // substrings of stderr
		files    []string // files under out
		notInOut string
	}{
		{args: []string{"convert"}, stdout: []string{"kind: Deployment\n", "name: web-published\n", "\n---\n"},
			stderr: []string{"warning: " + file + ":7:15: services.web.volumes[0]: bind mount of " + dir + "/site is left out"}},
		{args: []string{"convert", "--namespace", "prod", "--published-type", "LoadBalancer", "web"},
			stdout: []string{"namespace: prod\n", "type: LoadBalancer\n", "name: db\n"}, notInOut: "name: other\n"},
		{args: []string{"convert", "--format", "kustomize", "-o", filepath.Join(out, "k")}, files: []string{"k/kustomization.yaml", "k/web-deployment.yaml"}},
		{args: []string{"convert", "--format", "helm", "-o", filepath.Join(out, "h")}, files: []string{"h/Chart.yaml", "h/templates/db-service.yaml"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			root := newRootCommand()
			var stdout, stderr bytes.Buffer
			root.SetOut(&stdout)
			root.SetErr(&stderr)
			root.SetArgs(append([]string{"-f", file}, tt.args...))
			if err := root.Execute(); err != nil {
				t.Fatalf("berth %v = %v", tt.args, err)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("berth %v printed no %q:\n%s", tt.args, s, stdout.String())
				}
			}
			if tt.notInOut != "" && strings.Contains(stdout.String(), tt.notInOut) {
				t.Errorf("berth %v printed %q, a service not selected", tt.args, tt.notInOut)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("berth %v warned no %q:\n%s", tt.args, s, stderr.String())
				}
			}
			for _, f := range tt.files {
				if _, err := os.Stat(filepath.Join(out, f)); err != nil {
					t.Errorf("berth %v wrote no %s: %v", tt.args, f, err)
				}
			}
		})
	}
}

func TestConvertBadFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte("services:\n  web: {image: x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"convert", "--format", "helm"},
		{"convert", "--published-type", "ExternalName"},
		{"convert", "--namespace", "Bad_NS"},
		{"convert", "--volume-size", "lots"},
	} {
		root := newRootCommand()
		root.SetOut(&bytes.Buffer{})
		root.SetErr(&bytes.Buffer{})
		root.SetArgs(append([]string{"-f", file}, args...))
		if err := root.Execute(); err == nil {
			t.Errorf("berth %v succeeded, want an error", args)
		}
	}
}
