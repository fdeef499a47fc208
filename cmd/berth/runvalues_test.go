package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runValuesYAML holds values Compose's config prints but Docker's engine refuses at up.
const runValuesYAML = `services:
  web:
    image: bte-busybox
    restart: sometimes
    tmpfs: ["/run:size=lots"]
    ports:
      - target: 80
        published: "70000"
  db:
    image: bte-busybox
    device_cgroup_rules: ["q 1:3 zz"]
`

// runValuesWant are the problems of runValuesYAML as berth reports them, sorted by place.
var runValuesWant = []string{
	`compose.yaml:4:14: services.web.restart: "sometimes": want no, always`,
	`compose.yaml:5:13: services.web.tmpfs[0]: tmpfs "/run:size=lots": option "size=lots": bad value`,
	`compose.yaml:8:20: services.web.ports[0].published: "70000": want a port`,
	`compose.yaml:11:27: services.db.device_cgroup_rules[0]: device cgroup rule "q 1:3 zz"`,
}

// containsInOrder reports whether every want is in s, each after the one before.
func containsInOrder(s string, want []string) bool {
	for _, w := range want {
		i := strings.Index(s, w)
		if i < 0 {
			return false
		}
		s = s[i+len(w):]
	}
	return true
}

// TestConfigRunWarnings: config prints a file with values Docker refuses at up as
// Compose does (exit 0, the values as written), and warns of each on stderr at its
// file:line:col.
func TestConfigRunWarnings(t *testing.T) {
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte(runValuesYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	root := newRootCommand()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs([]string{"-f", file, "config", "--format", "json"})
	if err := root.Execute(); err != nil {
		t.Fatalf("berth config = %v", err)
	}
	if !strings.Contains(out.String(), `"restart": "sometimes"`) {
		t.Errorf("config printed %q, want the restart value as written", out.String())
	}
	if !containsInOrder(errb.String(), runValuesWant) || strings.Count(errb.String(), "warning: ") != len(runValuesWant) {
		t.Errorf("config stderr = %q, want a warning for each of %q", errb.String(), runValuesWant)
	}
}
