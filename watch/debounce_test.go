package watch

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestDebounce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := make(chan string)
	out := Debounce(ctx, in, 30*time.Millisecond)
	for _, p := range []string{"/b", "/a", "/b", "/a"} { // a burst: one batch, each path once
		in <- p
	}
	if got := <-out; !slices.Equal(got, []string{"/a", "/b"}) {
		t.Errorf("first batch = %v, want [/a /b]", got)
	}
	in <- "/c"
	select {
	case got := <-out:
		t.Fatalf("batch %v sent before the quiet period", got)
	case <-time.After(10 * time.Millisecond):
	}
	if got := <-out; !slices.Equal(got, []string{"/c"}) {
		t.Errorf("second batch = %v, want [/c]", got)
	}
	in <- "/d"
	close(in) // the pending batch is sent, then the output closed
	if got := <-out; !slices.Equal(got, []string{"/d"}) {
		t.Errorf("batch at close = %v, want [/d]", got)
	}
	if _, ok := <-out; ok {
		t.Error("output not closed after input closed")
	}
}

func TestDebounceSlidingWindow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := make(chan string)
	quiet := 40 * time.Millisecond
	out := Debounce(ctx, in, quiet)
	for i := 0; i < 5; i++ { // events closer than quiet keep one batch open
		in <- string(rune('a' + i))
		time.Sleep(quiet / 4)
	}
	if got := <-out; len(got) != 5 {
		t.Errorf("batch = %v, want the 5 events together", got)
	}
	cancel()
	if _, ok := <-out; ok {
		t.Error("output not closed after cancel")
	}
}
