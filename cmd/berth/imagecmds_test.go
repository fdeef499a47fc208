package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImageCommandsHelp: export, commit and push are Compose commands with Compose's
// usage lines.
func TestImageCommandsHelp(t *testing.T) {
	root := newRootCommand()
	for args, want := range map[string]string{
		"export": "berth export [OPTIONS] SERVICE",
		"commit": "berth commit [OPTIONS] SERVICE [REPOSITORY[:TAG]]",
		"push":   "berth push [OPTIONS] [SERVICE...]",
	} {
		cmd, _, err := root.Find([]string{args})
		if err != nil || cmd.Name() != args {
			t.Fatalf("Find(%s) = %v, %v", args, cmd, err)
		}
		cmd.InitDefaultHelpFlag()
		if got := usageLine(cmd); got != want {
			t.Errorf("usageLine(%s) = %q, want %q", args, got, want)
		}
		if cmd.GroupID != groupCompose {
			t.Errorf("%s in group %q, want %q", args, cmd.GroupID, groupCompose)
		}
	}
}

// TestCompleteImageCommandServices: completion of export's SERVICE and push's services offers the
// compose file's services; export takes one.
func TestCompleteImageCommandServices(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte("services:\n  web: {image: busybox}\n  db: {image: busybox}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"export", ""}, "db\nweb\n"},
		{[]string{"push", "web", ""}, "db\nweb\n"},
		{[]string{"export", "web", ""}, ""},
	} {
		root := newRootCommand()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&bytes.Buffer{})
		root.SetArgs(append([]string{"__complete", "-f", file}, tt.args...))
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := strings.Cut(out.String(), ":"); got != tt.want {
			t.Errorf("completion of %q = %q, want %q", tt.args, out.String(), tt.want)
		}
	}
}
