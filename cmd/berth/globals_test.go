package main

import (
	"testing"

	"github.com/berth-dev/berth/internal/progress"
)

func TestResolveDisplay(t *testing.T) {
	tests := []struct {
		args     []string
		env      map[string]string
		terminal bool
		want     progress.Mode
		ansi     string
		parallel int
		err      string
	}{
		{nil, nil, true, progress.TTY, "auto", -1, ""},
		{nil, nil, false, progress.Plain, "auto", -1, ""},
		{nil, map[string]string{"COMPOSE_ANSI": "never"}, true, progress.Plain, "never", -1, ""},
		{[]string{"--ansi", "always"}, map[string]string{"COMPOSE_ANSI": "never"}, true, progress.TTY, "always", -1, ""},
		{[]string{"--progress", "json"}, nil, true, progress.JSON, "auto", -1, ""},
		{[]string{"--progress", "tty", "--ansi", "never"}, nil, true, "", "never", -1, "can't use --progress tty while ANSI support is disabled"},
		{nil, map[string]string{"COMPOSE_PARALLEL_LIMIT": "2"}, false, progress.Plain, "auto", 2, ""},
		{[]string{"--parallel", "3"}, map[string]string{"COMPOSE_PARALLEL_LIMIT": "2"}, false, progress.Plain, "auto", 3, ""},
		{nil, map[string]string{"COMPOSE_PARALLEL_LIMIT": "many"}, false, "", "auto", -1, `COMPOSE_PARALLEL_LIMIT must be an integer (found: "many")`},
		{[]string{"--ansi", "sometimes"}, nil, false, "", "sometimes", -1, `unsupported --ansi value "sometimes": want never, always or auto`},
	}
	for _, tt := range tests {
		root, g := newRoot()
		if err := root.ParseFlags(tt.args); err != nil {
			t.Fatal(err)
		}
		env := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
		err := g.display.resolve(root, env, tt.terminal)
		if (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("%v %v: resolve = %v, want %q", tt.args, tt.env, err, tt.err)
			continue
		}
		if err == nil && (g.display.mode != tt.want || g.display.ansi != tt.ansi || g.display.parallel != tt.parallel) {
			t.Errorf("%v %v: mode %q ansi %q parallel %d, want %q %q %d", tt.args, tt.env,
				g.display.mode, g.display.ansi, g.display.parallel, tt.want, tt.ansi, tt.parallel)
		}
	}
}

func TestCheckDryRun(t *testing.T) {
	tests := []struct {
		args []string
		ok   bool
	}{
		{[]string{"up"}, true},
		{[]string{"down"}, true},
		{[]string{"stop"}, true},
		{[]string{"ps"}, true},
		{[]string{"image", "ls"}, true},
		{[]string{"pull"}, true},
		{[]string{"image", "prune"}, false},
		{[]string{"exec"}, false},
		{[]string{"cp"}, true},
		{[]string{"build"}, true},
		{[]string{"run"}, false},
		{[]string{"volume", "rm"}, false},
	}
	root := newRootCommand()
	for _, tt := range tests {
		cmd, _, err := root.Find(tt.args)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkDryRun(cmd, true); (err == nil) != tt.ok {
			t.Errorf("checkDryRun(%v) = %v, want ok %v", tt.args, err, tt.ok)
		}
		if err := checkDryRun(cmd, false); err != nil {
			t.Errorf("checkDryRun(%v) without --dry-run = %v", tt.args, err)
		}
	}
}

func TestColor(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	var buf testingWriter
	for _, tt := range []struct {
		ansi    string
		noColor bool
		want    bool
	}{{"always", false, true}, {"always", true, false}, {"never", false, false}, {"auto", false, false}} {
		d := displayOptions{ansi: tt.ansi}
		if got := d.color(&buf, tt.noColor); got != tt.want {
			t.Errorf("--ansi %s, --no-color %v: color = %v, want %v (off a terminal)", tt.ansi, tt.noColor, got, tt.want)
		}
	}
}

type testingWriter struct{}

func (testingWriter) Write(b []byte) (int, error) { return len(b), nil }
