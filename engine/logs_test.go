package engine

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFollowAcrossRotation writes lines through the rotating writer while a follower
// polls at various rates; every line must come out once, in order, across rotations
// (several per poll included) and across a rotation between Logs' read and the follow.
func TestFollowAcrossRotation(t *testing.T) {
	tests := []struct {
		name                 string
		maxSize              int64
		maxFiles, pollEvery  int
		readFirst, writeMore int // lines written before Logs' initial read, then before the first poll
	}{
		{"poll every line", 300, 32, 1, 0, 0},
		{"several rotations per poll", 200, 32, 17, 0, 0},
		{"rotated before first poll", 200, 32, 5, 10, 9},
		{"single file (rotation drops the old one)", 300, 1, 2, 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := openLogWriter(dir, tt.maxSize, tt.maxFiles)
			if err != nil {
				t.Fatal(err)
			}
			defer w.f.Close()
			var want, got []string
			n := 0
			write := func(k int) {
				for i := 0; i < k; i++ {
					n++
					line := fmt.Sprintf("line %d\n", n)
					want = append(want, line)
					if err := w.write("stdout", []byte(line)); err != nil {
						t.Fatal(err)
					}
				}
			}
			write(tt.readFirst)
			es, cur, off, err := readRotated(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, le := range es {
				got = append(got, le.Log)
			}
			write(tt.writeMore)
			fl := &follower{dir: dir, off: off}
			if cur != nil {
				fl.f, fl.ino = cur, fdInode(cur)
			}
			defer fl.close()
			poll := func() {
				es, err := fl.poll()
				if err != nil {
					t.Fatalf("poll = %v", err)
				}
				for _, le := range es {
					got = append(got, le.Log)
				}
			}
			for i := 0; i < 120; i++ {
				write(1)
				if i%tt.pollEvery == 0 {
					poll()
				}
			}
			poll()
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("followed lines (-want +got):\n%s", diff)
			}
		})
	}
}
