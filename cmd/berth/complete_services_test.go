package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spf13/cobra"
)

func TestCompleteServices(t *testing.T) {
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte("services:\n  web: {image: x}\n  db: {image: y}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := &globalOptions{files: []string{file}}
	cmd := &cobra.Command{}
	cmd.SetContext(context.Background())
	tests := []struct {
		name string
		fn   cobra.CompletionFunc
		args []string
		want []string
	}{
		{"services", completeServices(g), []string{"web"}, []string{"db", "web"}},
		{"one service", completeOneService(g), nil, []string{"db", "web"}},
		{"one service, given", completeOneService(g), []string{"web"}, nil},
		{"scale", completeScale(g), nil, []string{"db=", "web="}},
	}
	for _, tt := range tests {
		got, _ := tt.fn(cmd, tt.args, "")
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: completion = %q, want %q", tt.name, got, tt.want)
		}
	}
}
