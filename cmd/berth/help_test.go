package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestHelpGrouped: berth --help is shaped as Compose's: the usage line, the
// description, Options:, then the commands in groups and the closing hint.
func TestHelpGrouped(t *testing.T) {
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	help := out.String()
	order := []string{"\nUsage:  berth [OPTIONS] COMMAND\n\n", "Options:\n", "\nCommands:\n", "  up ", "\nManagement Commands:\n",
		"  builder ", "  image ", "  network ", "  system ", "  volume ", "\nOther Commands:\n", "  version ",
		"\nRun 'berth COMMAND --help' for more information on a command.\n"}
	at := 0
	for _, want := range order {
		i := strings.Index(help[at:], want)
		if i < 0 {
			t.Fatalf("berth --help lacks %q after offset %d:\n%s", want, at, help)
		}
		at += i + len(want)
	}
	if mgmt := help[strings.Index(help, "Management Commands:"):strings.Index(help, "Other Commands:")]; strings.Contains(mgmt, "  up ") {
		t.Errorf("up listed among the management commands:\n%s", mgmt)
	}
}

func TestUsageLine(t *testing.T) {
	root := newRootCommand()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"up"}, "berth up [OPTIONS] [SERVICE...]"},
		{[]string{"volume"}, "berth volume COMMAND"},
		{[]string{"volume", "rm"}, "berth volume rm [OPTIONS] VOLUME [VOLUME...]"},
		{[]string{"image", "tag"}, "berth image tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]"},
	}
	for _, tt := range tests {
		cmd, _, err := root.Find(tt.args)
		if err != nil {
			t.Fatalf("Find(%q): %v", tt.args, err)
		}
		cmd.InitDefaultHelpFlag()
		if got := usageLine(cmd); got != tt.want {
			t.Errorf("usageLine(%s) = %q, want %q", strings.Join(tt.args, " "), got, tt.want)
		}
	}
}

// TestNewCommandsGrouped: a command no list names (one added later) is grouped with
// Compose's commands.
func TestNewCommandsGrouped(t *testing.T) {
	root := &cobra.Command{Use: "berth"}
	root.AddCommand(&cobra.Command{Use: "watch", Run: func(*cobra.Command, []string) {}},
		&cobra.Command{Use: "volume", Run: func(*cobra.Command, []string) {}})
	groupCommands(root)
	for _, c := range root.Commands() {
		want := map[string]string{"watch": groupCompose, "volume": groupManagement}[c.Name()]
		if c.GroupID != want {
			t.Errorf("%s in group %q, want %q", c.Name(), c.GroupID, want)
		}
	}
}

// TestCompleteNames: shell completion offers the store's volume names.
func TestCompleteNames(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BERTH_ROOT", dir)
	if err := os.MkdirAll(filepath.Join(dir, "volumes", "proj_data", "_data"), 0o700); err != nil {
		t.Fatal(err)
	}
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	root.SetArgs([]string{"__complete", "volume", "rm", ""})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "proj_data\n") {
		t.Errorf("completion of volume rm = %q, want proj_data", out.String())
	}
}

// TestCompletionCoversFlags: shell completion (cobra's __complete, which the bash, zsh
// and fish scripts call) offers every command, and every flag of each command.
func TestCompletionCoversFlags(t *testing.T) {
	// Completions read state (names of containers, networks, volumes): not the user's.
	t.Setenv(project.EnvRoot, t.TempDir())
	t.Setenv(project.EnvRuntimeDir, t.TempDir())
	complete := func(args ...string) string {
		root := newRootCommand()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&bytes.Buffer{})
		root.SetArgs(append([]string{"__complete"}, args...))
		if err := root.Execute(); err != nil {
			t.Fatalf("__complete %v: %v", args, err)
		}
		return out.String()
	}
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		offered := complete(append(path, "--")...)
		c.NonInheritedFlags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden && !strings.Contains(offered, "--"+f.Name+"\t") && !strings.Contains(offered, "--"+f.Name+"\n") {
				t.Errorf("completion of %q lacks --%s", strings.Join(path, " ")+" --", f.Name)
			}
		})
		subs := complete(append(path, "")...)
		for _, s := range c.Commands() {
			if !s.IsAvailableCommand() {
				continue
			}
			if !strings.Contains(subs, s.Name()+"\t") && !strings.Contains(subs, s.Name()+"\n") {
				t.Errorf("completion of %q lacks the command %s", strings.Join(path, " "), s.Name())
			}
			walk(s, append(path, s.Name()))
		}
	}
	walk(newRootCommand(), nil)
	if got := complete("--progress", ""); !strings.HasPrefix(got, "auto\ntty\nplain\njson\nquiet\n") {
		t.Errorf("completion of --progress = %q, want Compose's modes", got)
	}
}
