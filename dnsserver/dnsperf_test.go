package dnsserver

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkDNSPerf runs Debian's dnsperf (apt-get install dnsperf) against the server on
// loopback for local names and reports its queries per second and the mean latency it
// prints. It runs 2 threads, which this 2-core VM needs for dnsperf to load the server
// (one thread tops out near 90k qps); it prints no answer lines (-v costs dnsperf ~20%
// of its rate), so percentiles come from BenchmarkDNSLoad. b.N is ignored: dnsperf runs
// for -l seconds.
//
//	go test -run '^$' -bench DNSPerf -benchtime 1x ./dnsserver/
//
// To see the server's capacity per core, pin them apart: DNSPERF_CPU runs dnsperf under
// `taskset -c`, e.g.
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
			"-a", host(base, 10).String(), "-d", data, "-l", "3", "-c", "4", "-T", "2", "-q", "100"}
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

// reportDNSPerf reads dnsperf's summary: "Queries per second: N", "Average Latency (s):
// N (min ...", and "Queries lost: N (...)".
func reportDNSPerf(b *testing.B, out []byte) {
	var qps, mean, lost float64
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		var err error
		switch {
		case len(f) >= 4 && f[0] == "Queries" && f[2] == "second:":
			qps, err = strconv.ParseFloat(f[3], 64)
		case len(f) >= 4 && f[0] == "Average" && f[1] == "Latency":
			mean, err = strconv.ParseFloat(f[3], 64)
		case len(f) >= 3 && f[0] == "Queries" && f[1] == "lost:":
			lost, err = strconv.ParseFloat(f[2], 64)
		default:
			continue
		}
		if err != nil {
			b.Fatalf("dnsperf line %q: %v", sc.Text(), err)
		}
		found++
	}
	if found != 3 || qps == 0 {
		b.Fatalf("dnsperf output lacks its summary:\n%.2000s", out)
	}
	b.ReportMetric(qps, "qps")
	b.ReportMetric(mean*1e6, "mean-µs")
	b.ReportMetric(lost, "lost")
}
