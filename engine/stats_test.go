package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

func TestParseProcStat(t *testing.T) {
	in := "cpu  10 20 30 40 50 60 70 80 90 100\ncpu0 1 2 3 4 5 6 7 8 9 10\ncpu1 1 2 3 4 5 6 7 8 9 10\nintr 5\nbtime 1\n"
	total, cpus, err := parseProcStat([]byte(in))
	if want := uint64(280) * uint64(10*time.Millisecond); err != nil || total != want || cpus != 2 {
		t.Errorf("parseProcStat = %d, %d, %v; want %d, 2", total, cpus, err, want)
	}
	if _, _, err := parseProcStat([]byte("intr 5\n")); err == nil {
		t.Error("parseProcStat without a cpu line: no error")
	}
}

func TestParseNetDev(t *testing.T) {
	in := `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  999  9 0 0 0 0 0 0  999  9 0 0 0 0 0 0
  eth0: 1500 10 0 0 0 0 0 0  700  5 0 0 0 0 0 0
  eth1:  100  1 0 0 0 0 0 0   50  1 0 0 0 0 0 0
`
	rx, tx, err := parseNetDev([]byte(in))
	if err != nil || rx != 1600 || tx != 750 {
		t.Errorf("parseNetDev = %d, %d, %v; want 1600, 750 (lo left out)", rx, tx, err)
	}
}

// writeFiles makes dir/name with each content.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadCgroupStats(t *testing.T) {
	v2 := t.TempDir()
	writeFiles(t, v2, map[string]string{
		"cpu.stat":       "usage_usec 1500\nuser_usec 1000\n",
		"memory.stat":    "anon 100\ninactive_file 4096\n",
		"memory.current": "10240\n",
		"memory.max":     "max\n",
		"pids.current":   "3\n",
		"io.stat":        "8:0 rbytes=100 wbytes=20 rios=1 wios=1\n8:16 rbytes=1 wbytes=2\n",
	})
	v1 := t.TempDir()
	writeFiles(t, v1, map[string]string{
		"cpuacct/cpuacct.usage":                           "1500000\n",
		"memory/memory.stat":                              "cache 1\ntotal_inactive_file 4096\n",
		"memory/memory.usage_in_bytes":                    "10240\n",
		"memory/memory.limit_in_bytes":                    "1048576\n",
		"pids/pids.current":                               "3\n",
		"blkio/blkio.throttle.io_service_bytes_recursive": "8:0 Read 100\n8:0 Write 20\n8:0 Sync 5\n8:16 Read 1\n8:16 Write 2\nTotal 128\n",
	})
	v1dirs := map[string]string{}
	for _, c := range []string{"cpuacct", "memory", "pids", "blkio"} {
		v1dirs[c] = filepath.Join(v1, c)
	}
	want := Stats{CPU: 1500000, Memory: 6144, PIDs: 3, BlockRead: 101, BlockWrite: 22}
	for name, dirs := range map[string]map[string]string{"v2": {"": v2}, "v1": v1dirs} {
		var got Stats
		if err := readCgroupStats(&got, dirs); err != nil {
			t.Fatalf("%s: readCgroupStats: %v", name, err)
		}
		w := want
		if name == "v1" {
			w.MemoryLimit = 1048576
		}
		if got != w {
			t.Errorf("%s: readCgroupStats = %+v, want %+v", name, got, w)
		}
	}
	delete(v1dirs, "blkio")
	v1dirs["cpuacct"] = filepath.Join(v1, "nosuch")
	var got Stats
	if err := readCgroupStats(&got, v1dirs); err != nil || got.CPU != 0 || got.BlockRead != 0 {
		t.Errorf("v1 without blkio, cpuacct gone = %+v, %v; want zero CPU and block I/O", got, err)
	}
}

// TestStats samples a running container with a memory limit on both cgroup versions:
// its PIDs, memory under the limit, CPU time growing while it spins, block I/O of
// its writes, no network (it has no interface but lo).
func TestStats(t *testing.T) {
	testenv.RequiresRoot(t)
	bothCgroupVersions(t, testStats)
}

func testStats(t *testing.T) {
	e := newEngine(t)
	spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{busyboxLayer(t)},
		Cmd: []string{"sh", "-c", "sleep 60 & while :; do :; done"}}
	// A hybrid host's cgroup2 mount has no memory and pids controllers: they count zero.
	controllers, _ := os.ReadFile(filepath.Join(cgroupRoot, "cgroup.controllers"))
	counted := !unified() || strings.Contains(string(controllers), "memory")
	if counted {
		spec.Resources.Memory = 64 << 20
	}
	startContainer(t, e, spec)
	first, err := e.Stats(spec.ID)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	second, err := e.Stats(spec.ID)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if host, _ := hostMemory(); !counted && (second.PIDs != 0 || second.Memory != 0 || second.MemoryLimit != host) {
		t.Errorf("without memory and pids controllers: PIDs %d, memory %d / %d; want 0, 0 / %d (the host's)",
			second.PIDs, second.Memory, second.MemoryLimit, host)
	}
	if counted && second.PIDs != 2 {
		t.Errorf("PIDs = %d, want 2 (sh and sleep)", second.PIDs)
	}
	if counted && (second.MemoryLimit != 64<<20 || second.Memory == 0 || second.Memory > second.MemoryLimit) {
		t.Errorf("memory = %d / %d, want some of 64 MiB", second.Memory, second.MemoryLimit)
	}
	if second.CPU <= first.CPU || second.System <= first.System || second.OnlineCPUs < 1 {
		t.Errorf("CPU %d -> %d, system %d -> %d, %d CPUs; want both growing", first.CPU, second.CPU, first.System, second.System, second.OnlineCPUs)
	}
	if second.NetRx != 0 || second.NetTx != 0 {
		t.Errorf("net = %d / %d, want none over lo", second.NetRx, second.NetTx)
	}
	if _, err := e.Stop(spec.ID, 9, time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Stats(spec.ID); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Errorf("Stats of a stopped container = %v, want ErrNotRunning", err)
	}
}
