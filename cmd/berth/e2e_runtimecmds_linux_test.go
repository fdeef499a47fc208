package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// runtimeCompose is the project of the runtime command tests: web depends on db, each
// mounts a named volume of its own.
const runtimeCompose = `services:
  web:
    image: bte-busybox
    command: ["sleep", "300"]
    init: true
    depends_on: [db]
    volumes: ["data:/data"]
  db:
    image: bte-busybox
    command: ["sleep", "300"]
    init: true
    volumes: ["logs:/logs"]
volumes:
  data: {}
  logs: {}
`

// countRunning is the number of running containers of service in the project of file.
func (e *e2e) countRunning(file, service string) int {
	n := 0
	for _, c := range e.psList(file, service) {
		if c["State"] == "running" {
			n++
		}
	}
	return n
}

func TestE2EScale(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, runtimeCompose)
	e.mustBerth("-f", file, "scale", "--no-deps", "web=2")
	if got := e.countRunning(file, "web"); got != 2 {
		t.Errorf("after scale --no-deps web=2: %d web running, want 2", got)
	}
	if got := len(e.psList(file, "db")); got != 0 {
		t.Errorf("after scale --no-deps web=2: %d db containers, want none", got)
	}
	e.mustBerth("-f", file, "scale", "web=3")
	if got, db := e.countRunning(file, "web"), e.countRunning(file, "db"); got != 3 || db != 1 {
		t.Errorf("after scale web=3: %d web, %d db running, want 3 and 1", got, db)
	}
	e.mustBerth("-f", file, "scale", "web=1")
	if got := len(e.psList(file, "web")); got != 1 {
		t.Errorf("after scale web=1: %d web containers, want 1", got)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"scale", "web"}, "invalid scale specifier: web"},
		{[]string{"scale", "web=x"}, "can't parse replica value as int: web=x"},
		{[]string{"scale", "nosuch=1"}, "no such service"},
		{[]string{"scale"}, "requires at least 1 arg"},
	} {
		_, stderr, err := e.berth(append([]string{"-f", file}, tt.args...)...)
		if exitCode(err) != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("berth %s: exit %d, stderr %q; want 1 and %q", strings.Join(tt.args, " "), exitCode(err), stderr, tt.want)
		}
	}
}

func TestE2EVolumes(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, runtimeCompose)
	if out := e.mustBerth("-f", file, "volumes"); out != "DRIVER    VOLUME NAME\n" {
		t.Errorf("volumes before up = %q, want the header only", out)
	}
	e.mustBerth("-f", file, "up", "-d")
	data, logs := e.project+"_data", e.project+"_logs"
	want := "DRIVER    VOLUME NAME\nlocal     " + data + "\nlocal     " + logs + "\n"
	if out := e.mustBerth("-f", file, "volumes"); out != want {
		t.Errorf("volumes = %q, want %q", out, want)
	}
	if out := e.mustBerth("-f", file, "volumes", "-q", "web"); out != data+"\n" {
		t.Errorf("volumes -q web = %q, want %q", out, data+"\n")
	}
	if out := e.mustBerth("volumes", "--format", "{{.Name}} {{.Driver}}", "db"); out != logs+" local\n" {
		t.Errorf("volumes --format (by -p, no file) db = %q, want %q", out, logs+" local\n")
	}
	var row map[string]any
	out := e.mustBerth("-f", file, "volumes", "--format", "json", "web")
	if err := json.Unmarshal([]byte(out), &row); err != nil {
		t.Fatalf("volumes --format json: %v: %q", err, out)
	}
	for _, k := range []string{"Availability", "Driver", "Group", "Labels", "Links", "Mountpoint", "Name", "Scope", "Size", "Status"} {
		if _, ok := row[k]; !ok {
			t.Errorf("volumes --format json: no key %q in %v", k, row)
		}
	}
	if row["Name"] != data || !strings.Contains(row["Labels"].(string), "com.docker.compose.volume=data") {
		t.Errorf("volumes --format json web = %v, want %s labelled volume=data", row, data)
	}
	_, stderr, err := e.berth("-f", file, "volumes", "nosuch")
	if exitCode(err) != 1 || !strings.Contains(stderr, "no such service: nosuch") {
		t.Errorf("volumes nosuch: exit %d, stderr %q; want 1 and no such service", exitCode(err), stderr)
	}
}
