package residency

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCleanReadOnlyRanges(t *testing.T) {
	smaps := `00400000-00a75000 r-xp 00000000 fe:00 9978585                            /usr/bin/berth
Size:               6612 kB
Rss:                5460 kB
Anonymous:             0 kB
00a75000-0110e000 r--p 00675000 fe:00 9978585                            /usr/bin/berth
Rss:                4388 kB
Anonymous:             0 kB
0110e000-01172000 rw-p 00d0e000 fe:00 9978585                            /usr/bin/berth
Anonymous:           300 kB
01172000-031bb000 rw-p 00000000 00:00 0 
Anonymous:           104 kB
7f0000000000-7f0000001000 r--p 00000000 fe:00 1234                       /usr/bin/berth old
Anonymous:             0 kB
7f0000002000-7f0000003000 r--p 00000000 fe:00 1234                       /usr/bin/berthx
Anonymous:             0 kB
7f0000004000-7f0000005000 r--p 00001000 fe:00 1234                       /usr/bin/berth old
Anonymous:             4 kB
7ffdeb5ad000-7ffdeb5ce000 rw-p 00000000 00:00 0                          [stack]
Anonymous:            12 kB
`
	tests := []struct {
		path string
		want [][2]uintptr
	}{
		{"/usr/bin/berth", [][2]uintptr{{0x400000, 0xa75000}, {0xa75000, 0x110e000}}},
		// The second mapping holds a copied-on-write page: not released.
		{"/usr/bin/berth old", [][2]uintptr{{0x7f0000000000, 0x7f0000001000}}},
		{"/usr/bin/none", nil},
	}
	for _, tt := range tests {
		if got := cleanReadOnlyRanges([]byte(smaps), tt.path); !cmp.Equal(got, tt.want) {
			t.Errorf("cleanReadOnlyRanges(%q) = %#x, want %#x", tt.path, got, tt.want)
		}
	}
}

// TestReleaseExecutable releases the test binary's own pages: its resident file pages
// must drop, and the code keeps running (it is mapped back as it runs).
func TestReleaseExecutable(t *testing.T) {
	before := rssFile(t)
	if err := ReleaseExecutable(); err != nil {
		t.Fatalf("ReleaseExecutable() = %v", err)
	}
	if after := rssFile(t); after >= before {
		t.Errorf("RssFile = %d kB after ReleaseExecutable, %d kB before: want less", after, before)
	}
}

func rssFile(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "RssFile:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatalf("RssFile line %q: %v", l, err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}
