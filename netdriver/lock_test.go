package netdriver

import (
	"fmt"
	"sync"
	"testing"
)

// TestWithStateSerialises runs read-modify-write cycles from two drivers sharing StateDir (as
// two berth processes would) and checks that no update is lost.
func TestWithStateSerialises(t *testing.T) {
	dir := t.TempDir()
	var drivers []*Driver
	for i := 0; i < 2; i++ {
		d, err := New(Options{StateDir: dir, RuntimeDir: t.TempDir()})
		if err != nil {
			t.Fatalf("New() = %v", err)
		}
		drivers = append(drivers, d)
	}
	const perDriver = 20
	var wg sync.WaitGroup
	for i, d := range drivers {
		for j := 0; j < perDriver; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := d.withState(true, func(st *state) error {
					st.Netns[fmt.Sprintf("%d-%d", i, j)] = "x"
					return nil
				})
				if err != nil {
					t.Errorf("withState() = %v", err)
				}
			}()
		}
	}
	wg.Wait()
	var n int
	if err := drivers[0].withState(false, func(st *state) error { n = len(st.Netns); return nil }); err != nil {
		t.Fatalf("withState() = %v", err)
	}
	if want := 2 * perDriver; n != want {
		t.Errorf("recorded %d namespaces, want %d", n, want)
	}
}
