package dnsserver

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkDNSPerf runs Debian's dnsperf (apt-get install dnsperf) against the server on
// loopback for local names and reports its queries per second and the 99th percentile
// latency of the answers. b.N is ignored: dnsperf runs for -l seconds.
//
//	go test -run '^$' -bench DNSPerf -benchtime 1x ./dnsserver/
//
// On a 2-core machine the generator and the server share the cores. To see the server's
// capacity per core, pin them apart: DNSPERF_CPU runs dnsperf under `taskset -c`, e.g.
//
//	go test -c -o /tmp/dns.test ./dnsserver/ && cd dnsserver &&
//	DNSPERF_CPU=1 GOMAXPROCS=1 taskset -c 0 /tmp/dns.test -test.run '^$' -test.bench DNSPerf -test.benchtime 1x
func BenchmarkDNSPerf(b *testing.B) {
	path, err := exec.LookPath("dnsperf")
	if err != nil {
		b.Skip("dnsperf is not installed (apt-get install dnsperf)")
	}
	s := New(Options{Upstreams: []netip.AddrPort{}})
	b.Cleanup(func() { s.Close() })
	base := [4]byte{127, 78, byte(time.Now().UnixNano()%200) + 20, 0}
	port, err := s.AddNetwork("bench", host(base, 1), false)
	if err != nil {
		b.Fatalf("AddNetwork: %v", err)
	}
	for i := range byte(3) {
		if err := s.SetEndpoint("bench", Endpoint{ID: fmt.Sprint(i), Addr: host(base, 10+i), Service: "web", ContainerName: fmt.Sprintf("bench-web-%d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	data := filepath.Join(b.TempDir(), "queries")
	if err := os.WriteFile(data, []byte("web A\nbench-web-1 A\nWEB.bench A\nweb AAAA\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	{ // once, whatever b.N: dnsperf's own time limit sets the length of the run
		args := []string{path, "-s", host(base, 1).String(), "-p", strconv.Itoa(int(port)),
			"-a", host(base, 10).String(), "-d", data, "-l", "3", "-c", "4", "-T", "1", "-q", "32", "-v"}
		if cpu := os.Getenv("DNSPERF_CPU"); cpu != "" {
			args = append([]string{"taskset", "-c", cpu}, args...)
		}
		out, err := exec.Command(args[0], args[1:]...).Output()
		if err != nil {
			b.Fatalf("dnsperf: %v\n%s", err, out)
		}
		reportDNSPerf(b, out)
	}
}

// reportDNSPerf reads dnsperf -v output: one "> RCODE name type latency" line per
// answer and a "Queries per second:" summary.
func reportDNSPerf(b *testing.B, out []byte) {
	var lat []float64
	var qps float64
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 5 && f[0] == ">" {
			if f[1] != "NOERROR" {
				b.Fatalf("dnsperf answer %q, want NOERROR", sc.Text())
			}
			if v, err := strconv.ParseFloat(f[4], 64); err == nil {
				lat = append(lat, v)
			}
		}
		if len(f) == 4 && f[0] == "Queries" && f[2] == "second:" {
			qps, _ = strconv.ParseFloat(f[3], 64)
		}
	}
	if len(lat) == 0 || qps == 0 {
		b.Fatalf("dnsperf output has no results:\n%.2000s", out)
	}
	slices.Sort(lat)
	b.ReportMetric(qps, "qps")
	b.ReportMetric(lat[len(lat)*99/100]*1e6, "p99-µs")
	b.ReportMetric(lat[len(lat)/2]*1e6, "p50-µs")
}
