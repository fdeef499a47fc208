package engine

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCopyInputStop checks that once Stop has returned, the caller's input is read no
// more: what is written later stays for the input's next reader.
func TestCopyInputStop(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	var dst syncBuffer
	c := CopyInput(&dst, r)
	w.WriteString("before\n")
	for i := 0; i < 200 && dst.String() != "before\n"; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	c.Stop()
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("CopyInput did not end after Stop")
	}
	w.WriteString("after\n")
	w.Close()
	rest, _ := io.ReadAll(r)
	if dst.String() != "before\n" || string(rest) != "after\n" {
		t.Errorf("copied %q, left %q; want %q copied and %q left", dst.String(), rest, "before\n", "after\n")
	}
}

func TestCopyInputEOF(t *testing.T) {
	for _, tt := range []struct {
		name string
		src  func(t *testing.T) io.Reader
	}{
		{"file", func(t *testing.T) io.Reader {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			w.WriteString("data\n")
			w.Close()
			return r
		}},
		{"reader", func(t *testing.T) io.Reader { return strings.NewReader("data\n") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var dst syncBuffer
			c := CopyInput(&dst, tt.src(t))
			select {
			case <-c.Done():
			case <-time.After(2 * time.Second):
				t.Fatal("CopyInput did not end at EOF")
			}
			c.Stop() // after the end: a no-op
			if dst.String() != "data\n" {
				t.Errorf("copied %q, want %q", dst.String(), "data\n")
			}
		})
	}
}
