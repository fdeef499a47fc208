package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// BenchmarkE2EProxy6 compares a container's published port reached through the kernel's
// DNAT (127.0.0.1) and through the supervisor's userland proxy ([::1]; the container
// has no IPv6): a small page per connection (busybox httpd closes each), and an 8 MiB
// download.
//
//	go test -tags berth_shim -run - -bench E2EProxy6 ./cmd/berth/
func BenchmarkE2EProxy6(b *testing.B) {
	testenv.RequiresRoot(b)
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		b.Skipf("skipping: no IPv6 loopback: %v", err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) // free on IPv6; checked on IPv4 by up
	ln.Close()
	root, run := b.TempDir(), b.TempDir()
	importBusybox(b, root)
	file := filepath.Join(b.TempDir(), "compose.yaml")
	os.WriteFile(file, []byte(`services:
  web:
    image: bte-busybox
    command: ["sh", "-c", "echo hi > /tmp/small; busybox dd if=/dev/zero of=/tmp/big bs=1048576 count=8 2>/dev/null; exec httpd -f -p 8080 -h /tmp"]
    stop_signal: SIGKILL
    ports: ["`+port+`:8080"]
`), 0o644)
	cgroup := "bte-" + randHex(8)
	env := append(os.Environ(), "BERTH_ROOT="+root, "BERTH_RUNTIME_DIR="+run,
		"BERTH_ADDRESS_POOLS="+randomPools(240), "BERTH_NFT_TABLE=bte"+randHex(8), "BERTH_NAME_PREFIX=bte"+randHex(3),
		"BERTH_CGROUP_PARENT="+cgroup, "BERTH_DNS_UPSTREAMS=127.0.0.1:1")
	project := "bte" + randHex(8)
	berth := func(args ...string) {
		cmd := exec.Command(berthBinary(b), append([]string{"-p", project, "-f", file}, args...)...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("berth %v: %v\n%s", args, err, out)
		}
	}
	berth("up", "-d")
	b.Cleanup(func() {
		berth("down", "-t", "1")
		os.Remove(filepath.Join("/sys/fs/cgroup", cgroup))
	})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(b *testing.B, url string) int64 {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		n, _ := io.Copy(io.Discard, resp.Body)
		return n
	}
	for _, host := range []struct{ name, addr string }{{"dnat", "127.0.0.1"}, {"proxy", "[::1]"}} {
		base := "http://" + host.addr + ":" + port
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if resp, err := client.Get(base + "/small"); err == nil {
				resp.Body.Close()
				break
			}
		}
		b.Run(host.name+"/small", func(b *testing.B) {
			for b.Loop() {
				get(b, base+"/small")
			}
		})
		b.Run(host.name+"/8MiB", func(b *testing.B) {
			b.SetBytes(8 << 20)
			for b.Loop() {
				if n := get(b, base+"/big"); n != 8<<20 {
					b.Fatalf("GET /big = %d bytes", n)
				}
			}
		})
	}
}
