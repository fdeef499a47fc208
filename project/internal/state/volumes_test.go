package state

import (
	"os"
	"slices"
	"testing"
)

func TestVolumesLabelled(t *testing.T) {
	c := Paths{Root: t.TempDir()}
	for _, v := range []struct{ name, project string }{{"a_data", "a"}, {"a_logs", "a"}, {"b_data", "b"}, {"bare", ""}} {
		dir, err := c.VolumeDir(v.name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if v.project == "" {
			continue
		}
		if err := c.LabelVolume(v.name, map[string]string{LabelProject: v.project}); err != nil {
			t.Fatalf("LabelVolume(%s): %v", v.name, err)
		}
	}
	// Labels once written stay: a second project using the volume does not take it.
	if err := c.LabelVolume("a_data", map[string]string{LabelProject: "b"}); err != nil {
		t.Fatal(err)
	}
	got, err := c.VolumesLabelled(LabelProject, "a")
	if want := []string{"a_data", "a_logs"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("VolumesLabelled(a) = %q, %v; want %q", got, err, want)
	}
	if got, err := (Paths{Root: t.TempDir()}).VolumesLabelled(LabelProject, "a"); err != nil || len(got) != 0 {
		t.Errorf("VolumesLabelled without volumes = %q, %v; want none", got, err)
	}
}
