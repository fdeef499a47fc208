package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// watchBench is `berth watch` running on watchProject, for the benchmarks.
type watchBench struct {
	b      *testing.B
	dir    string // the project's directory
	cgroup string // BERTH_CGROUP_PARENT: the app container's processes are below it
	out    syncBuffer
}

// newWatchBench brings watchProject up under `berth watch` in a root of its own and
// takes everything down at the end.
func newWatchBench(b *testing.B) *watchBench {
	b.Helper()
	testenv.RequiresRoot(b)
	root, run := b.TempDir(), b.TempDir()
	w := &watchBench{b: b, dir: watchTree(b), cgroup: "bte-" + randHex(8)}
	importBusybox(b, root)
	env := append(os.Environ(), "BERTH_ROOT="+root, "BERTH_RUNTIME_DIR="+run,
		"BERTH_ADDRESS_POOLS="+randomPools(240), "BERTH_NFT_TABLE=bte"+randHex(8), "BERTH_NAME_PREFIX=bte"+randHex(3),
		"BERTH_CGROUP_PARENT="+w.cgroup, "BERTH_DNS_UPSTREAMS=127.0.0.1:1")
	project := "bte" + randHex(8)
	berth := func(args ...string) *exec.Cmd {
		cmd := exec.Command(berthBinary(b), append([]string{"-p", project, "-f", filepath.Join(w.dir, "compose.yaml")}, args...)...)
		cmd.Env = env
		return cmd
	}
	watch := berth("watch")
	var errb syncBuffer
	watch.Stdout, watch.Stderr = &w.out, &errb
	if err := watch.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		watch.Process.Signal(syscall.SIGINT)
		watch.Wait()
		if out, err := berth("down", "-v", "-t", "1").CombinedOutput(); err != nil {
			b.Errorf("down: %v\n%s", err, out)
		}
		os.Remove(filepath.Join("/sys/fs/cgroup", w.cgroup))
	})
	if !eventually(60*time.Second, func() bool { return strings.Contains(w.out.String(), "Watch enabled") }) {
		b.Fatalf("berth watch did not start\nstdout:\n%s\nstderr:\n%s", w.out.String(), errb.String())
	}
	return w
}

// appPid is the host pid of the app container's main process (sleep 3600) other than
// not, or 0.
func (w *watchBench) appPid(not int) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == not {
			continue
		}
		cg, err := os.ReadFile("/proc/" + e.Name() + "/cgroup")
		if err != nil || !bytes.Contains(cg, []byte(w.cgroup)) {
			continue
		}
		if cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline"); string(cmd) == "sleep\x003600\x00" {
			return pid
		}
	}
	return 0
}

// waitUntil polls cond every 200µs for up to 10 s.
func (w *watchBench) waitUntil(what string, cond func() bool) {
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(200 * time.Microsecond) {
		if time.Now().After(deadline) {
			w.b.Fatalf("%s: not within 10s\nwatch output:\n%s", what, w.out.String())
		}
	}
}

// BenchmarkWatchSync measures a saved file's way into the running container: from the
// write on the host to the new content read through the container's root (the
// debouncer's quiet period included). Target: < 100 ms.
func BenchmarkWatchSync(b *testing.B) {
	w := newWatchBench(b)
	pid := w.appPid(0)
	if pid == 0 {
		b.Fatal("no app container")
	}
	host := filepath.Join(w.dir, "src", "bench.txt")
	inCtr := fmt.Sprintf("/proc/%d/root/data/src/bench.txt", pid)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want := fmt.Sprintf("save %d", i)
		if err := os.WriteFile(host, []byte(want), 0o644); err != nil {
			b.Fatal(err)
		}
		w.waitUntil("sync of "+want, func() bool {
			got, _ := os.ReadFile(inCtr)
			return string(got) == want
		})
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/save")
}

// BenchmarkWatchRebuild measures a rebuild rule from the change in the build context
// to the recreated container running: "cached" changes a file the Dockerfile does not
// copy (every layer from the cache, target < 1 s); "changed" changes the copied file
// (the COPY layer is built again).
func BenchmarkWatchRebuild(b *testing.B) {
	for _, tt := range []struct{ name, file string }{{"cached", "notes.txt"}, {"changed", "version.txt"}} {
		b.Run(tt.name, func(b *testing.B) {
			w := newWatchBench(b)
			pid := w.appPid(0)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				content := fmt.Sprintf("v%d-%s", i+2, randHex(4))
				if err := os.WriteFile(filepath.Join(w.dir, "app", tt.file), []byte(content), 0o644); err != nil {
					b.Fatal(err)
				}
				w.waitUntil("recreated app", func() bool {
					next := w.appPid(pid)
					if next == 0 {
						return false
					}
					if tt.file == "version.txt" {
						got, _ := os.ReadFile(fmt.Sprintf("/proc/%d/root/version.txt", next))
						if string(got) != content {
							return false
						}
					}
					pid = next
					return true
				})
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/rebuild")
		})
	}
}
