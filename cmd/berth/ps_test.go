package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/project"
)

func TestPSStatuses(t *testing.T) {
	tests := []struct {
		opts    psOptions
		want    []string
		wantErr bool
	}{
		{psOptions{}, nil, false},
		{psOptions{status: []string{"running"}}, []string{"running"}, false},
		{psOptions{status: []string{"running"}, filter: "status=exited"}, []string{"running", "exited"}, false},
		{psOptions{filter: "status"}, nil, true},
		{psOptions{filter: "source=x"}, nil, true},
	}
	for _, tt := range tests {
		got, err := tt.opts.statuses()
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("statuses(%+v) = %q, %v; want %q, error %v", tt.opts, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPrintPSServices(t *testing.T) {
	list := []project.ContainerSummary{{Service: "web"}, {Service: "db"}, {Service: "web"}}
	var b bytes.Buffer
	if err := printPS(&b, list, &psOptions{services: true}); err != nil || b.String() != "db\nweb\n" {
		t.Errorf("ps --services = %q, %v; want db, web", b.String(), err)
	}
}

func TestCommandColumn(t *testing.T) {
	tests := []struct {
		cmd   string
		trunc bool
		want  string
	}{
		{"", true, `""`},
		{"sleep 3600", true, `"sleep 3600"`},
		{"docker-entrypoint.sh postgres", true, `"docker-entrypoint.s…"`},
		{"docker-entrypoint.sh postgres", false, `"docker-entrypoint.sh postgres"`},
		{`sh -c "echo hi"`, true, `"sh -c \"echo hi\""`},
		{"12345678901234567890", true, `"12345678901234567890"`},
	}
	for _, tt := range tests {
		if got := commandColumn(tt.cmd, tt.trunc); got != tt.want {
			t.Errorf("commandColumn(%q, %v) = %s, want %s", tt.cmd, tt.trunc, got, tt.want)
		}
	}
}

func TestPrintPSFormat(t *testing.T) {
	list := []project.ContainerSummary{
		{ID: "0123456789abcdef", Name: "p-web-1", Service: "web", Image: "nginx", Command: "docker-entrypoint.sh nginx -g daemon",
			State: "running", Status: "Up 2 seconds", Labels: map[string]string{"tier": "front", "a": "b"},
			Publishers: []project.Publisher{{URL: "0.0.0.0", TargetPort: 80, PublishedPort: 8080, Protocol: "tcp"}},
			Mounts:     []string{"p_data", "/srv/a-long-bind-path"}, LocalVolumes: 1, Networks: []string{"p_default", "p_back"}},
		{ID: "fedcba9876543210", Name: "p-db-1", Service: "db", Image: "postgres", State: "exited", ExitCode: 3},
	}
	tests := []struct {
		format  string
		noTrunc bool
		want    string
	}{
		{"{{.Name}} {{.State}}", false, "p-web-1 running\np-db-1 exited\n"},
		{"{{.ID}}", false, "0123456789ab\nfedcba987654\n"},
		{"{{.ID}}", true, "0123456789abcdef\nfedcba9876543210\n"},
		{"{{.Command}}", false, "\"docker-entrypoint.s…\"\n\"\"\n"},
		{`{{.Service}}\t{{.Ports}}`, false, "web\t0.0.0.0:8080->80/tcp\ndb\t\n"},
		{`{{.Label "tier"}}|{{.Labels}}`, false, "front|a=b,tier=front\n|\n"},
		{"{{.ExitCode}}", false, "0\n3\n"},
		{"table {{.Name}}\t{{.Status}}", false, "NAME      STATUS\np-web-1   Up 2 seconds\np-db-1    \n"},
		{"{{json .Publishers}}", false, `[{"URL":"0.0.0.0","TargetPort":80,"PublishedPort":8080,"Protocol":"tcp"}]` + "\nnull\n"},
		{"{{.Mounts}} {{.Networks}} {{.LocalVolumes}}", false, "p_data,/srv/a-long-bi… p_default,p_back 1\n  0\n"},
		{"{{.Mounts}}", true, "p_data,/srv/a-long-bind-path\n\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := printPS(&b, list, &psOptions{format: tt.format, noTrunc: tt.noTrunc}); err != nil {
			t.Errorf("ps --format %q: %v", tt.format, err)
			continue
		}
		if b.String() != tt.want {
			t.Errorf("ps --format %q = %q, want %q", tt.format, b.String(), tt.want)
		}
	}
	if err := printPS(&bytes.Buffer{}, list, &psOptions{format: "{{.Nope}}"}); err == nil {
		t.Errorf("ps --format {{.Nope}} = nil, want an error")
	}
}

// TestPrintPSJSON: ps --format json prints one object a line with the keys of
// Compose v5.6.0's ContainerContext (docker/cli's formatter.MarshalJSON), ID and
// Command as its table shows them unless --no-trunc.
func TestPrintPSJSON(t *testing.T) {
	list := []project.ContainerSummary{{ID: "0123456789abcdef", Name: "p-web-1", Service: "web", Command: "sleep 3600 <&>",
		Networks: []string{"p_default"}, Mounts: []string{"p_data"}, LocalVolumes: 1}, {ID: "fedcba9876543210", Name: "p-db-1"}}
	want := []string{"Command", "CreatedAt", "Engine", "ExitCode", "Health", "ID", "Image", "Labels", "LocalVolumes",
		"Mounts", "Name", "Names", "Networks", "Ports", "Project", "Publishers", "RunningFor", "Service", "Size", "State", "Status"}
	for _, noTrunc := range []bool{false, true} {
		var b bytes.Buffer
		if err := printPS(&b, list, &psOptions{format: "json", noTrunc: noTrunc}); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("ps --format json = %q, want one line per container", b.String())
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
			t.Fatal(err)
		}
		keys := slices.Sorted(maps.Keys(m))
		if !slices.Equal(keys, want) {
			t.Errorf("ps --format json keys = %v, want Compose's %v", keys, want)
		}
		id, cmd := "0123456789ab", `"sleep 3600 <&>"`
		if noTrunc {
			id = "0123456789abcdef"
		}
		if m["ID"] != id || m["Command"] != cmd || m["Networks"] != "p_default" || m["LocalVolumes"] != "1" || m["Size"] != "0B" {
			t.Errorf("ps --format json (no-trunc %v) = %s", noTrunc, lines[0])
		}
		if !strings.Contains(lines[0], `<&>`) {
			t.Errorf("ps --format json escapes HTML: %s", lines[0])
		}
	}
}
