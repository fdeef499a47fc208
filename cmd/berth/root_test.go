package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestCommandShorthands checks that global flags belong to the root only, so that after a
// command -f and -p are the command's own, as in Compose.
func TestCommandShorthands(t *testing.T) {
	tests := []struct {
		args []string
		flag string
		want string
	}{
		{[]string{"-f", "a.yaml", "logs", "-f"}, "follow", "true"},
		{[]string{"-f", "a.yaml", "rm", "-f", "web"}, "force", "true"},
		{[]string{"image", "rm", "-f", "x"}, "force", "true"},
		{[]string{"-p", "x", "run", "-p", "8080:80", "web"}, "publish", "[8080:80]"},
	}
	for _, tt := range tests {
		root := newRootCommand()
		cmd, rest, err := root.Traverse(tt.args)
		if err != nil {
			t.Fatalf("Traverse(%q): %v", tt.args, err)
		}
		if err := cmd.ParseFlags(rest); err != nil {
			t.Fatalf("berth %s: ParseFlags(%q): %v", strings.Join(tt.args, " "), rest, err)
		}
		if got := cmd.Flags().Lookup(tt.flag).Value.String(); got != tt.want {
			t.Errorf("berth %s: --%s = %s, want %s", strings.Join(tt.args, " "), tt.flag, got, tt.want)
		}
	}
}

func TestGlobalFlagAfterCommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"up", "-f", "x.yaml"}, "up: -f/--file is a global flag: put it before the command: berth -f x.yaml up"},
		{[]string{"-p", "a", "ps", "--project-name=b"}, "ps: -p/--project-name is a global flag: put it before the command: berth --project-name b ps"},
		{[]string{"down", "--profile", "x"}, "down: --profile is a global flag: put it before the command: berth --profile x down"},
		{[]string{"image", "ls", "--env-file", ".env"}, "image ls: --env-file is a global flag: put it before the command: berth --env-file .env image ls"},
		{[]string{"up", "--bogus"}, "unknown flag: --bogus"},
	}
	for _, tt := range tests {
		root := newRootCommand()
		root.SetArgs(tt.args)
		root.SetOut(&bytes.Buffer{})
		root.SetErr(&bytes.Buffer{})
		// The hint repeats the value from the command line, which os.Args holds in the
		// binary; here it comes from tt.args.
		root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return globalFlagError(root, cmd, err, tt.args) })
		err := root.Execute()
		if err == nil || err.Error() != tt.want {
			t.Errorf("berth %s = %v, want %q", strings.Join(tt.args, " "), err, tt.want)
		}
	}
}
