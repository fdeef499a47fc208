package main

import (
	"bytes"
	"slices"
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
