package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/berth-dev/berth/project"
)

func TestAskYesNo(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"y\n", true},
		{"YES\n", true},
		{" y \n", true},
		{"n\n", false},
		{"\n", false},
		{"", false},
		{"yes please\n", false},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		got, err := askYesNo(strings.NewReader(tt.in), &out, "Going to remove p-web-1\nAre you sure? [yN] ")
		if err != nil || got != tt.want {
			t.Errorf("askYesNo(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if out.String() != "Going to remove p-web-1\nAre you sure? [yN] " {
			t.Errorf("askYesNo printed %q", out.String())
		}
	}
}

func TestPrintLs(t *testing.T) {
	list := []project.ProjectSummary{{Name: "p", Status: "running(2)", ConfigFiles: "/a/compose.yaml"}}
	tests := []struct {
		opts lsOptions
		list []project.ProjectSummary
		want string
	}{
		{lsOptions{format: "json"}, list, `[{"Name":"p","Status":"running(2)","ConfigFiles":"/a/compose.yaml"}]` + "\n"},
		{lsOptions{format: "json"}, nil, "[]\n"},
		{lsOptions{quiet: true, format: "table"}, list, "p\n"},
		{lsOptions{format: "table"}, list, "NAME                STATUS              CONFIG FILES\np                   running(2)          /a/compose.yaml\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := printLs(&b, tt.list, &tt.opts); err != nil || b.String() != tt.want {
			t.Errorf("printLs(%+v) = %q, %v; want %q", tt.opts, b.String(), err, tt.want)
		}
	}
}

func TestPrintTop(t *testing.T) {
	list := []project.ContainerTop{{Name: "p-web-1", Processes: [][]string{
		{"root", "4242", "4240", "0", "10:00", "?", "00:00:00", "sleep 60"}}}}
	var b bytes.Buffer
	if err := printTop(&b, list); err != nil {
		t.Fatal(err)
	}
	want := "p-web-1\n" +
		"UID    PID    PPID   C    STIME   TTY   TIME       CMD\n" +
		"root   4242   4240   0    10:00   ?     00:00:00   sleep 60\n\n"
	if b.String() != want {
		t.Errorf("printTop =\n%s\nwant\n%s", b.String(), want)
	}
}
