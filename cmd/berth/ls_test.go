package main

import (
	"slices"
	"testing"

	"github.com/berth-dev/berth/project"
)

func TestLsFilter(t *testing.T) {
	list := []project.ProjectSummary{{Name: "shop"}, {Name: "shop-test"}, {Name: "blog"}, {Name: "a.b"}}
	tests := []struct {
		filters []string
		want    []string
		wantErr string
	}{
		{nil, []string{"shop", "shop-test", "blog", "a.b"}, ""},
		{[]string{"name=blog"}, []string{"blog"}, ""},
		{[]string{" NAME = shop"}, []string{"shop", "shop-test"}, ""}, // unanchored, as Compose's
		{[]string{"name=^shop$"}, []string{"shop"}, ""},
		{[]string{"name=blog", "name=test"}, []string{"shop-test", "blog"}, ""},
		{[]string{"name=("}, nil, ""}, // a bad expression matches only itself
		{[]string{"status=running"}, nil, "invalid filter 'status'"},
		{[]string{"name"}, nil, "bad format of filter (expected name=value)"},
	}
	for _, tt := range tests {
		names, err := lsNameFilters(tt.filters)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ls --filter %q = %v, want %q", tt.filters, err, tt.wantErr)
			}
			continue
		}
		var got []string
		for _, p := range filterProjects(list, names) {
			got = append(got, p.Name)
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ls --filter %q = %q, %v; want %q", tt.filters, got, err, tt.want)
		}
	}
}
