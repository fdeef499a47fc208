package watch

import (
	"context"
	"sort"
	"time"
)

// QuietPeriod is how long berth waits after the last event before acting on a batch.
// Compose waits 500 ms; berth's is shorter so a saved file is in the container within
// ~100 ms, and still long enough to gather an editor's save (a temporary file, a
// rename, a chmod: a few milliseconds apart) into one batch. A rebuild that a later
// batch makes stale is interrupted and redone, as in Compose, so a long burst (a git
// checkout) split across batches still ends on the last state.
const QuietPeriod = 50 * time.Millisecond

// Debounce groups the paths of in into batches, as Compose's BatchDebounceEvents: a
// path is kept once per batch, and a batch is sent (sorted) once quiet has passed
// without a new event. The returned channel is closed when ctx ends (the pending
// batch is dropped) or when in is closed (after the pending batch is sent).
func Debounce(ctx context.Context, in <-chan string, quiet time.Duration) <-chan []string {
	out := make(chan []string)
	go func() {
		defer close(out)
		seen := map[string]bool{}
		timer := time.NewTimer(quiet)
		timer.Stop() // armed by the first event
		defer timer.Stop()
		flush := func() bool {
			if len(seen) == 0 {
				return true
			}
			batch := make([]string, 0, len(seen))
			for p := range seen {
				batch = append(batch, p)
			}
			sort.Strings(batch)
			seen = map[string]bool{}
			select {
			case out <- batch:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
				if !flush() {
					return
				}
			case p, ok := <-in:
				if !ok {
					flush()
					return
				}
				seen[p] = true
				timer.Reset(quiet)
			}
		}
	}()
	return out
}
