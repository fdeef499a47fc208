package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/project"
)

// TestLogsFollowShorthand checks that -f before a command is --file and after `logs`
// is --follow, as in Compose.
func TestLogsFollowShorthand(t *testing.T) {
	tests := []struct {
		args      []string
		files     []string
		follow    bool
		remaining []string
	}{
		{[]string{"-p", "x", "-f", "a.yaml", "logs", "-f", "web"}, []string{"a.yaml"}, true, []string{"web"}},
		{[]string{"-f", "a.yaml", "-f", "b.yaml", "logs", "web"}, []string{"a.yaml", "b.yaml"}, false, []string{"web"}},
		{[]string{"--file", "c.yaml", "logs", "--follow"}, []string{"c.yaml"}, true, []string{}},
	}
	for _, tt := range tests {
		root := newRootCommand()
		cmd, rest, err := root.Traverse(tt.args)
		if err != nil {
			t.Fatalf("Traverse(%q): %v", tt.args, err)
		}
		if err := cmd.ParseFlags(rest); err != nil {
			t.Fatalf("%q: ParseFlags(%q): %v", tt.args, rest, err)
		}
		follow, _ := cmd.Flags().GetBool("follow")
		files, _ := root.Flags().GetStringArray("file")
		if cmd.Name() != "logs" || follow != tt.follow || !slices.Equal(files, tt.files) || !slices.Equal(cmd.Flags().Args(), tt.remaining) {
			t.Errorf("berth %s: command %s, follow %v, files %q, args %q; want logs, %v, %q, %q", strings.Join(tt.args, " "),
				cmd.Name(), follow, files, cmd.Flags().Args(), tt.follow, tt.files, tt.remaining)
		}
	}
}

func TestUpOptionsCheck(t *testing.T) {
	tests := []struct {
		opts    upOptions
		wantErr string
	}{
		{upOptions{}, ""},
		{upOptions{detach: true}, ""},
		{upOptions{abortOnExit: true}, ""},
		{upOptions{exitCodeFrom: "web"}, ""},
		{upOptions{wait: true}, ""},
		{upOptions{abortOnExit: true, abortOnFailure: true}, "--abort-on-container-exit and --abort-on-container-failure cannot be combined"},
		{upOptions{detach: true, abortOnFailure: true}, "-d and --abort-on-container-failure cannot be combined"},
		{upOptions{detach: true, exitCodeFrom: "web"}, "-d and --exit-code-from cannot be combined"},
		{upOptions{wait: true, abortOnExit: true}, "--wait and --abort-on-container-exit cannot be combined"},
	}
	for _, tt := range tests {
		got := ""
		if err := tt.opts.check(); err != nil {
			got = err.Error()
		}
		if tt.wantErr == "" && got != "" || !strings.Contains(got, tt.wantErr) {
			t.Errorf("check(%+v) = %q, want %q", tt.opts, got, tt.wantErr)
		}
	}
}

func TestUpAttachOptions(t *testing.T) {
	tests := []struct {
		opts upOptions
		want project.Cascade
	}{
		{upOptions{}, project.CascadeIgnore},
		{upOptions{abortOnExit: true}, project.CascadeStop},
		{upOptions{abortOnFailure: true}, project.CascadeFail},
	}
	for _, tt := range tests {
		at := tt.opts.attachOptions(&strings.Builder{}, &displayOptions{ansi: "auto"})
		if at.OnExit != tt.want || at.Color {
			t.Errorf("attachOptions(%+v) = cascade %v, color %v; want %v, no color off a terminal", tt.opts, at.OnExit, at.Color, tt.want)
		}
	}
}
