package eventlog

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// collect follows path with opts until ctx ends, sending the actions it sees.
func collect(ctx context.Context, t *testing.T, path string, opts FollowOptions) <-chan []string {
	t.Helper()
	out := make(chan []string, 1)
	go func() {
		var got []string
		err := Follow(ctx, path, opts, func(ev Event) error { got = append(got, ev.Action); return nil })
		if err != nil {
			t.Errorf("Follow: %v", err)
		}
		out <- got
	}()
	return out
}

func mustAppend(t *testing.T, path string, evs ...Event) {
	t.Helper()
	for _, ev := range evs {
		if err := Append(path, ev); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
}

func TestFollowSinceUntilAndDies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events", "p.jsonl")
	t0 := time.Now().Add(-time.Minute)
	mustAppend(t, path,
		Event{Time: t0, ID: "a", Action: "create"},
		Event{Time: t0.Add(time.Second), ID: "a", Action: "start"},
		Event{Time: t0.Add(2 * time.Second), ID: "a", Action: "die", Run: "r1"},
		Event{Time: t0.Add(2 * time.Second), ID: "a", Action: "die", Run: "r1"}, // the supervisor's too
		Event{Time: t0.Add(3 * time.Second), ID: "a", Action: "stop"},
		Event{Time: t0.Add(4 * time.Second), ID: "a", Action: "destroy"})
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("log dir: %v, %v; want mode 0700", fi, err)
	}
	tests := []struct {
		opts FollowOptions
		want []string
	}{
		{FollowOptions{Since: t0, Until: t0.Add(3 * time.Second)}, []string{"create", "start", "die", "stop"}},
		{FollowOptions{Since: t0.Add(time.Second), Until: t0.Add(2 * time.Second)}, []string{"start", "die"}},
	}
	for _, tt := range tests {
		got := <-collect(context.Background(), t, path, tt.opts)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Follow(%v) = %q, want %q", tt.opts, got, tt.want)
		}
	}
}

func TestFollowSinceReadsRotated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.jsonl")
	t0 := time.Now().Add(-time.Minute)
	mustAppend(t, path+".1", Event{Time: t0, ID: "a", Action: "create"}, Event{Time: t0, ID: "a", Action: "die", Run: "r1"})
	mustAppend(t, path, Event{Time: t0, ID: "a", Action: "die", Run: "r1"}, Event{Time: t0, ID: "a", Action: "destroy"})
	got := <-collect(context.Background(), t, path, FollowOptions{Since: t0, Until: time.Now()})
	if want := []string{"create", "die", "destroy"}; !slices.Equal(got, want) {
		t.Errorf("Follow since before the rotation = %q, want %q", got, want)
	}
}

func TestFollowNewAcrossReplacement(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.jsonl")
	mustAppend(t, path, Event{Time: time.Now(), ID: "old", Action: "create"})
	ctx, cancel := context.WithCancel(context.Background())
	got := collect(ctx, t, path, FollowOptions{}) // only what comes after it began
	time.Sleep(3 * pollInterval)
	mustAppend(t, path, Event{Time: time.Now(), ID: "a", Action: "start"})
	time.Sleep(3 * pollInterval)
	if err := os.Rename(path, path+".1"); err != nil { // as Append rotates
		t.Fatal(err)
	}
	mustAppend(t, path, Event{Time: time.Now(), ID: "a", Action: "kill"})
	time.Sleep(3 * pollInterval)
	os.Remove(path) // as a reboot would
	time.Sleep(3 * pollInterval)
	mustAppend(t, path, Event{Time: time.Now(), ID: "b", Action: "create"})
	time.Sleep(3 * pollInterval)
	cancel()
	if want := []string{"start", "kill", "create"}; !slices.Equal(<-got, want) {
		t.Errorf("followed across rotation and removal: want %q", want)
	}
}

func TestFollowUntilPastEndsAtEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.jsonl")
	mustAppend(t, path, Event{Time: time.Now().Add(-time.Second), ID: "a", Action: "create"})
	done := make(chan error, 1)
	go func() {
		done <- Follow(context.Background(), path, FollowOptions{Since: time.Now().Add(-time.Hour), Until: time.Now()}, func(Event) error { return nil })
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Follow = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Follow with Until in the past did not return")
	}
}

func TestAppendRotates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.jsonl")
	if err := os.WriteFile(path, make([]byte, MaxSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, path, Event{Time: time.Now(), ID: "a", Action: "create"})
	if fi, err := os.Stat(path); err != nil || fi.Size() > 200 {
		t.Errorf("log after rotation: %v, %v; want one line", fi, err)
	}
	if fi, err := os.Stat(path + ".1"); err != nil || fi.Size() != MaxSize+1 {
		t.Errorf("rotated log: %v, %v", fi, err)
	}
}
