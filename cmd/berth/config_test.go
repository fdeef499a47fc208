package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	yaml := "name: demo\nservices:\n  web: {image: \"nginx:${TAG:-1.27}-alpine\", depends_on: [db]}\n  db: {image: postgres, profiles: [data]}\nvolumes: {v: {}}\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BERTH_TEST_VAR", "yes")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--profile", "data", "config", "--services"}, "db\nweb\n"},
		{[]string{"--profile", "data", "config", "--images"}, "nginx:1.27-alpine\npostgres\n"},
		{[]string{"--profile", "data", "config", "--profiles"}, "data\n"},
		{[]string{"--profile", "data", "config", "-q"}, ""},
		{[]string{"--profile", "data", "config", "--volumes"}, ""},
		{[]string{"--profile", "data", "config", "--environment"}, "BERTH_TEST_VAR=yes\n"},
		{[]string{"--profile", "data", "config", "--format", "json", "db"}, `"name": "demo"`},
		{[]string{"--profile", "data", "config", "--no-normalize", "--format", "json"}, "\"required\": true\n        }\n      }\n    }\n  }\n}"}, // no default network (and, as Compose v5, no final newline)
		// Docker Compose v2.29.7 prints this hash for the same service.
		{[]string{"--profile", "data", "config", "--hash", "web"}, "web 074b16adc24aee6eb9056c2e5052619409873b923e37c5ec6f4fb70a1269b61f\n"},
		{[]string{"--profile", "data", "config", "--variables"}, "NAME                REQUIRED            DEFAULT VALUE       ALTERNATE VALUE\nTAG                 false               1.27                \n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			root := newRootCommand()
			var out bytes.Buffer
			root.SetOut(&out)
			root.SetArgs(append([]string{"-f", file}, tt.args...))
			if err := root.Execute(); err != nil {
				t.Fatalf("berth %v = %v", tt.args, err)
			}
			if !strings.Contains(out.String(), tt.want) || (tt.want == "" && out.Len() != 0) {
				t.Errorf("berth %v printed %q, want %q", tt.args, out.String(), tt.want)
			}
		})
	}
}

func TestConfigInvalid(t *testing.T) {
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte("services:\n  web:\n    image: x\n    ports: [eighty]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := newRootCommand()
	root.SetOut(&bytes.Buffer{})
	root.SetArgs([]string{"-f", file, "config"})
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), "compose.yaml:4:13: services.web.ports[0]: invalid container port") {
		t.Errorf("berth config (bad port) = %v, want a positioned error", err)
	}
}
