package compose

import (
	"context"
	"slices"
	"testing"
)

// TestDisabledServices: the services a profile or a selection leaves out are listed in
// Disabled (their containers are not orphans), the kept ones are not.
func TestDisabledServices(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": `services:
  web: {image: x, depends_on: [db]}
  db: {image: x}
  worker: {image: x}
  debug: {image: x, profiles: [debug]}
`})
	tests := []struct {
		selected, profiles []string
		want               []string
	}{
		{nil, nil, []string{"debug"}},
		{nil, []string{"debug"}, nil},
		{[]string{"web"}, nil, []string{"debug", "worker"}},
		{[]string{"worker"}, nil, []string{"db", "debug", "web"}},
	}
	for _, tt := range tests {
		p, err := Load(context.Background(), Options{WorkingDir: dir, Services: tt.selected, Profiles: tt.profiles})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.Disabled, tt.want) {
			t.Errorf("services %q, profiles %q: Disabled = %q, want %q", tt.selected, tt.profiles, p.Disabled, tt.want)
		}
	}
}
