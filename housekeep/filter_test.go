package housekeep

import (
	"errors"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/image"
)

func TestParseFilter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	good := []struct {
		args  []string
		until time.Time
	}{
		{[]string{"label=a", "label!=b=c"}, time.Time{}},
		{[]string{"until=24h"}, now.Add(-24 * time.Hour)},
		{[]string{"until=2025-12-31"}, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)},
		{[]string{"until=1700000000"}, time.Unix(1700000000, 0)},
	}
	for _, tt := range good {
		f, err := ParseFilter(tt.args, now, "until", "label")
		if err != nil || !f.until.Equal(tt.until) {
			t.Errorf("ParseFilter(%q) = until %v, %v; want %v", tt.args, f.until, err, tt.until)
		}
	}
	for _, bad := range [][]string{{"name=x"}, {"label"}, {"until=soon"}, {"until!=1h"}, {"dangling=maybe"}} {
		if _, err := ParseFilter(bad, now, "until", "label", "dangling"); !errors.Is(err, ErrInvalidFilter) {
			t.Errorf("ParseFilter(%q) = %v, want ErrInvalidFilter", bad, err)
		}
	}
}

func TestFilterMatch(t *testing.T) {
	now := time.Now()
	img := &image.Image{Created: now.Add(-48 * time.Hour)}
	img.Config.Config.Labels = map[string]string{"tier": "web", "keep": "no"}
	vol := &Volume{Name: "p_data", Labels: map[string]string{"com.docker.compose.project": "p"}, UsedBy: []string{"p-web-1"}}
	tests := []struct {
		args []string
		what string
		want bool
	}{
		{nil, "image", true},
		{[]string{"until=24h"}, "image", true},
		{[]string{"until=72h"}, "image", false},
		{[]string{"label=tier=web", "label=keep"}, "image", true},
		{[]string{"label=tier=db"}, "image", false},
		{[]string{"label!=keep=no"}, "image", false},
		{[]string{"dangling=false"}, "volume", true},
		{[]string{"dangling=true"}, "volume", false},
		{[]string{"name=data"}, "volume", true},
		{[]string{"name=nope", "name=p_"}, "volume", true},
		{[]string{"label=com.docker.compose.project=q"}, "volume", false},
	}
	for _, tt := range tests {
		f, err := ParseFilter(tt.args, now, "until", "label", "dangling", "name")
		if err != nil {
			t.Fatal(err)
		}
		got := f.Image(img)
		if tt.what == "volume" {
			got = f.Volume(vol)
		}
		if got != tt.want {
			t.Errorf("filter %q on the %s = %v, want %v", tt.args, tt.what, got, tt.want)
		}
	}
}
