package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseReplicas(t *testing.T) {
	tests := []struct {
		args    []string
		want    map[string]int
		wantErr string
	}{
		{args: []string{"web=3", "db=0"}, want: map[string]int{"web": 3, "db": 0}},
		{args: []string{"web=1", "web=2"}, want: map[string]int{"web": 2}},
		{args: []string{"web"}, wantErr: "invalid scale specifier: web"},
		{args: []string{"=2"}, wantErr: "invalid scale specifier: =2"},
		{args: []string{"web="}, wantErr: "invalid scale specifier: web="},
		{args: []string{"web=x"}, wantErr: "invalid scale specifier: can't parse replica value as int: web=x"},
		{args: []string{"web=-1"}, wantErr: "invalid scale specifier: replicas must not be negative: web=-1"},
	}
	for _, tt := range tests {
		got, err := parseReplicas(tt.args)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("parseReplicas(%q) error = %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseReplicas(%q): %v", tt.args, err)
		} else if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("parseReplicas(%q) (-want +got):\n%s", tt.args, diff)
		}
	}
}
