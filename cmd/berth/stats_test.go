package main

import (
	"bytes"
	"testing"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project"
	"github.com/google/go-cmp/cmp"
)

func TestStatsRows(t *testing.T) {
	id := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	prev := []project.ContainerStats{{ID: id, Stats: engine.Stats{CPU: 1e9, System: 100e9, OnlineCPUs: 4}}}
	cur := []project.ContainerStats{
		{ID: id, Name: "p-web-1", Stats: engine.Stats{CPU: 1.5e9, System: 102e9, OnlineCPUs: 4,
			Memory: 3 << 20, MemoryLimit: 64 << 20, NetRx: 1500, NetTx: 2_345_678, BlockRead: 4096, PIDs: 2}},
		{ID: "fe", Name: "p-db-1"}, // stopped (-a), or new since prev
	}
	want := []statsRow{
		{Container: id, ID: "0123456789ab", Name: "p-web-1", CPUPerc: "100.00%", MemUsage: "3MiB / 64MiB", MemPerc: "4.69%",
			NetIO: "1.5kB / 2.35MB", BlockIO: "4.1kB / 0B", PIDs: "2"},
		{Container: "fe", ID: "fe", Name: "p-db-1", CPUPerc: "0.00%", MemUsage: "0B / 0B", MemPerc: "0.00%",
			NetIO: "0B / 0B", BlockIO: "0B / 0B", PIDs: "0"},
	}
	if diff := cmp.Diff(want, statsRows(prev, cur, true)); diff != "" {
		t.Errorf("statsRows (-want +got):\n%s", diff)
	}
	if got := statsRows(prev, cur, false)[0].ID; got != id {
		t.Errorf("statsRows without trunc: ID = %q, want the full ID", got)
	}
}

func TestPrintStats(t *testing.T) {
	rows := []statsRow{{Container: "c1", ID: "c1", Name: "p-web-1", CPUPerc: "1.00%", MemUsage: "3MiB / 64MiB", MemPerc: "4.69%",
		NetIO: "1.5kB / 0B", BlockIO: "0B / 0B", PIDs: "2"}}
	tests := []struct{ format, want string }{
		{"", "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O      BLOCK I/O   PIDS\n" +
			"c1             p-web-1   1.00%     3MiB / 64MiB        4.69%     1.5kB / 0B   0B / 0B     2\n"},
		{"json", `{"BlockIO":"0B / 0B","CPUPerc":"1.00%","Container":"c1","ID":"c1","MemPerc":"4.69%","MemUsage":"3MiB / 64MiB","Name":"p-web-1","NetIO":"1.5kB / 0B","PIDs":"2"}` + "\n"},
		{"{{.Name}}: {{.CPUPerc}}", "p-web-1: 1.00%\n"},
		{"table {{.Container}}\t{{.PIDs}}", "CONTAINER   PIDS\nc1          2\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := printStats(&b, tt.format, rows); err != nil {
			t.Fatalf("printStats(%q): %v", tt.format, err)
		}
		if b.String() != tt.want {
			t.Errorf("printStats(%q) =\n%q\nwant\n%q", tt.format, b.String(), tt.want)
		}
	}
}

func TestRedrawFrame(t *testing.T) {
	got := redrawFrame([]byte("A\nB\n"))
	if want := "\033[HA\033[K\nB\033[K\n\033[K\n\033[J"; got.String() != want {
		t.Errorf("redrawFrame = %q, want %q", got.String(), want)
	}
}
