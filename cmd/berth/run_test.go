package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

func TestRunLabels(t *testing.T) {
	got, err := runLabels([]string{"a=1", "b=", "a=2", "c=x=y"})
	if want := map[string]string{"a": "2", "b": "", "c": "x=y"}; err != nil || !cmp.Equal(got, want) {
		t.Errorf("runLabels = %v, %v; want %v", got, err, want)
	}
	if _, err := runLabels([]string{"novalue"}); err == nil || err.Error() != "label must be set as KEY=VALUE" {
		t.Errorf("runLabels(novalue) = %v, want Compose's error", err)
	}
}

func TestRunEnv(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.env"), filepath.Join(dir, "b.env")
	os.WriteFile(a, []byte("FILE=a\nOVER=file\nREF=${OVER}\nBARE\n"), 0o644)
	os.WriteFile(b, []byte("FILE=b\nONLY_B=1\n"), 0o644)
	tests := []struct {
		flags, files []string
		want         []string
	}{
		{[]string{"X=1"}, nil, []string{"X=1"}},
		{nil, []string{a}, []string{"FILE=a", "OVER=file", "REF=file"}},
		{[]string{"OVER=flag", "BARE"}, []string{a}, []string{"FILE=a", "REF=flag", "OVER=flag", "BARE"}},
		{nil, []string{a, b}, []string{"FILE=a", "OVER=file", "REF=file", "FILE=b", "ONLY_B=1"}},
	}
	for _, tt := range tests {
		got, err := runEnv(tt.flags, tt.files, map[string]string{"BARE": "project"})
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("runEnv(%q, %q) = %q, %v; want %q", tt.flags, tt.files, got, err, tt.want)
		}
	}
	if _, err := runEnv(nil, []string{filepath.Join(dir, "missing.env")}, nil); err == nil || !strings.Contains(err.Error(), "--env-from-file") {
		t.Errorf("runEnv(missing file) = %v, want an error naming --env-from-file", err)
	}
}

func TestRunFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
		check   func(o *runOptions) bool
	}{
		{[]string{"-P", "-l", "a=b", "--labels", "c=d", "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN", "-q", "--use-aliases", "--remove-orphans", "web"}, "",
			func(o *runOptions) bool {
				return o.servicePorts && slices.Equal(o.labels, []string{"a=b", "c=d"}) && slices.Equal(o.capAdd, []string{"NET_ADMIN"}) &&
					slices.Equal(o.capDrop, []string{"CHOWN"}) && o.quiet && o.useAliases && o.removeOrph
			}},
		{[]string{"--no-TTY", "--volumes", "/a:/a", "web"}, "", func(o *runOptions) bool { return o.noTTY && len(o.volumes) == 1 }},
		{[]string{"-t=false", "web"}, "", func(o *runOptions) bool { return o.noTTY }},
		{[]string{"-P", "-p", "80", "web"}, "--service-ports and --publish are incompatible", nil},
		{[]string{"-t", "-T", "web"}, "--tty and --no-tty can't be used together", nil},
		{[]string{"-d", "--rm", "web"}, "run: --rm and -d cannot be combined", nil},
	}
	for _, tt := range tests {
		cmd, opts := &cobra.Command{}, &runOptions{}
		opts.addFlags(cmd.Flags())
		if err := cmd.ParseFlags(tt.args); err != nil {
			t.Errorf("run %q: parse: %v", tt.args, err)
			continue
		}
		err := opts.checkFlags(cmd)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("run %q = %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !tt.check(opts) {
			t.Errorf("run %q = %+v, %v", tt.args, opts, err)
		}
	}
}
