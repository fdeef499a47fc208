package project

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	for _, tt := range []struct{ slots, want int }{{1, 1}, {2, 2}, {0, 6}, {-1, 6}} {
		l := newLimiter(tt.slots)
		var running, most atomic.Int32
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = l.do(func() error {
					n := running.Add(1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					time.Sleep(20 * time.Millisecond)
					running.Add(-1)
					return nil
				})
			}()
		}
		wg.Wait()
		if got := int(most.Load()); got != tt.want {
			t.Errorf("newLimiter(%d): at most %d at once, want %d", tt.slots, got, tt.want)
		}
	}
}
