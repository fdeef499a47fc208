package project

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// TestSaveShared: saves of many goroutines at once each return with their own change
// on disk, whether they wrote it or a later write carried their snapshot; the last
// state on disk has every change.
func TestSaveShared(t *testing.T) {
	cfg := Config{Root: t.TempDir(), RuntimeDir: t.TempDir()}
	r := &run{cfg: cfg, st: &State{Name: "saves"}}
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("saves-web-%d", i+1)
			r.mu.Lock()
			r.st.Containers = append(r.st.Containers, &ContainerState{Name: name, Service: "web", Number: i + 1})
			r.mu.Unlock()
			if err := r.save(); err != nil {
				errs <- err
				return
			}
			st, err := cfg.LoadState("saves")
			if err != nil {
				errs <- err
				return
			}
			if !slices.ContainsFunc(st.Containers, func(c *ContainerState) bool { return c.Name == name }) {
				errs <- fmt.Errorf("save of %s returned before the state on disk held it", name)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, err := cfg.LoadState("saves")
	if err != nil || len(st.Containers) != n {
		t.Fatalf("final state: %d containers, %v; want %d", len(st.Containers), err, n)
	}
}
