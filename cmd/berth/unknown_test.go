package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestUnknownCommand checks that a mistyped command fails as in Compose (the help, then
// `unknown ... command: "..."`, exit code 16) instead of printing help and exiting 0.
func TestUnknownCommand(t *testing.T) {
	tests := []struct {
		args     []string
		wantErr  string
		wantHelp bool
	}{
		{[]string{"foo"}, `unknown berth command: "foo"`, true},
		{[]string{"-p", "x", "upp"}, `unknown berth command: "upp"`, true},
		{[]string{"image", "bogus"}, `unknown berth command: "image bogus"`, true},
		{[]string{"volume", "bogus"}, `unknown berth command: "volume bogus"`, true},
		{[]string{"system", "bogus"}, `unknown berth command: "system bogus"`, true},
		{[]string{}, "", true},
		{[]string{"image"}, "", true},
		{[]string{"version", "--format", "json"}, "", false},
	}
	for _, tt := range tests {
		root := newRootCommand()
		var out bytes.Buffer
		root.SetArgs(tt.args)
		root.SetOut(&out)
		root.SetErr(&bytes.Buffer{})
		err := root.Execute()
		name := "berth " + strings.Join(tt.args, " ")
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s = %v, want no error", name, err)
			}
		} else {
			var coded *codedError
			if err == nil || err.Error() != tt.wantErr || !errors.As(err, &coded) || coded.ExitCode() != syntaxExitCode {
				t.Errorf("%s = %v, want %q with exit code %d", name, err, tt.wantErr, syntaxExitCode)
			}
		}
		if got := strings.Contains(out.String(), "Usage:"); got != tt.wantHelp {
			t.Errorf("%s printed help: %v, want %v", name, got, tt.wantHelp)
		}
	}
}

func TestVersionFormat(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"version", "--format", "json"}, `{"version":"dev"}` + "\n"},
		{[]string{"version", "--short"}, "dev\n"},
		{[]string{"version", "-f", "pretty"}, "berth version dev ("},
	}
	for _, tt := range tests {
		root := newRootCommand()
		var out bytes.Buffer
		root.SetArgs(tt.args)
		root.SetOut(&out)
		if err := root.Execute(); err != nil {
			t.Fatalf("berth %s: %v", strings.Join(tt.args, " "), err)
		}
		if !strings.HasPrefix(out.String(), tt.want) {
			t.Errorf("berth %s = %q, want prefix %q", strings.Join(tt.args, " "), out.String(), tt.want)
		}
	}
	root := newRootCommand()
	root.SetArgs([]string{"version", "--format", "yaml"})
	root.SetOut(&bytes.Buffer{})
	if err := root.Execute(); err == nil {
		t.Errorf("berth version --format yaml = nil, want an error")
	}
}
