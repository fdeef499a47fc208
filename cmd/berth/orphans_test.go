package main

import (
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/spf13/cobra"
)

func TestEnvBool(t *testing.T) {
	for s, want := range map[string]bool{"1": true, "true": true, " TRUE ": true, "y": true, "Y": true, "t": true,
		"": false, "0": false, "false": false, "yes": false, "no": false, "n": false, "2": false} {
		if got := envBool(s); got != want {
			t.Errorf("envBool(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestOrphanOptions(t *testing.T) {
	tests := []struct {
		args                   []string
		removeEnv, ignoreEnv   string
		wantRemove, wantIgnore bool
		wantErr                bool
	}{
		{nil, "", "", false, false, false},
		{nil, "true", "", true, false, false},
		{[]string{"--remove-orphans=false"}, "true", "", false, false, false},
		{[]string{"--remove-orphans"}, "", "", true, false, false},
		{nil, "", "1", false, true, false},
		{[]string{"--remove-orphans"}, "", "y", false, false, true},
		{nil, "1", "true", false, false, true},
	}
	for _, tt := range tests {
		t.Setenv(envRemoveOrphans, tt.removeEnv)
		cmd := &cobra.Command{}
		var flag bool
		cmd.Flags().BoolVar(&flag, "remove-orphans", false, "")
		if err := cmd.ParseFlags(tt.args); err != nil {
			t.Fatal(err)
		}
		p := &compose.Project{Env: map[string]string{envIgnoreOrphans: tt.ignoreEnv}}
		remove, ignore, err := orphanOptions(cmd, p, flag)
		if (err != nil) != tt.wantErr || remove != tt.wantRemove || ignore != tt.wantIgnore {
			t.Errorf("orphanOptions(%q, %s=%q, %s=%q) = %v, %v, %v; want %v, %v, error %v", tt.args, envRemoveOrphans, tt.removeEnv,
				envIgnoreOrphans, tt.ignoreEnv, remove, ignore, err, tt.wantRemove, tt.wantIgnore, tt.wantErr)
		}
	}
}
