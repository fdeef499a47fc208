package engine

import (
	"errors"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestCommand(t *testing.T) {
	e := &Engine{Root: t.TempDir()}
	tests := []struct {
		name string
		spec Spec
		want []string
	}{
		{"image entrypoint only", Spec{Image: v1.Config{Entrypoint: []string{"/docker-entrypoint.sh"}}}, []string{"/docker-entrypoint.sh"}},
		{"image entrypoint and cmd", Spec{Image: v1.Config{Entrypoint: []string{"sleep"}, Cmd: []string{"3600"}}}, []string{"sleep", "3600"}},
		{"spec cmd", Spec{Image: v1.Config{Entrypoint: []string{"sleep"}, Cmd: []string{"3600"}}, Cmd: []string{"1"}}, []string{"sleep", "1"}},
		{"spec entrypoint", Spec{Image: v1.Config{Cmd: []string{"sh"}}, Entrypoint: []string{"true"}}, []string{"true"}},
	}
	for i, tt := range tests {
		tt.spec.ID, tt.spec.LayerDirs = "c"+string(rune('a'+i)), []string{"/nonexistent"}
		if err := e.Create(tt.spec); err != nil {
			t.Fatalf("Create(%s): %v", tt.name, err)
		}
		if got, err := e.Command(tt.spec.ID); err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: Command = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if _, err := e.Command("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Command(unknown) = %v, want ErrNotFound", err)
	}
}
