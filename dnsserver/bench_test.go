package dnsserver

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// BenchmarkLocalQueries is a load generator: clients on loopback send A queries for a
// service with 3 replicas, each client waiting for its answer before the next query.
// It reports queries per second and the 99th percentile latency.
//
//	go test -run '^$' -bench LocalQueries -benchtime 200000x ./dnsserver/
func BenchmarkLocalQueries(b *testing.B) {
	for _, clients := range []int{16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) { benchLocal(b, clients, false) })
	}
}

// BenchmarkQuerierOnTwoNetworks is BenchmarkLocalQueries from a querier that is also on
// a second network: its queries leave UDP's fast path for the querier's view.
func BenchmarkQuerierOnTwoNetworks(b *testing.B) {
	for _, clients := range []int{16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) { benchLocal(b, clients, true) })
	}
}

// benchLocal runs the load; with twoNets the querying endpoint is also on a peer network.
func benchLocal(b *testing.B, clients int, twoNets bool) {
	s := New(Options{Upstreams: []netip.AddrPort{}})
	b.Cleanup(func() { s.Close() })
	base := [4]byte{127, 77, byte(time.Now().UnixNano()%200) + 20, 0}
	port, err := s.AddNetwork("bench", host(base, 1), false)
	if err != nil {
		b.Fatalf("AddNetwork: %v", err)
	}
	for i := range byte(3) {
		if err := s.SetEndpoint("bench", Endpoint{ID: fmt.Sprint(i), Addr: host(base, 10+i), Service: "web"}); err != nil {
			b.Fatal(err)
		}
	}
	if twoNets {
		if err := s.AddPeerNetwork("peer", false); err != nil {
			b.Fatal(err)
		}
		if err := s.SetEndpoint("peer", Endpoint{ID: "0", Addr: netip.MustParseAddr("10.99.0.2"), Service: "web"}); err != nil {
			b.Fatal(err)
		}
	}
	m := new(dns.Msg)
	m.SetQuestion("web.", dns.TypeA)
	q, err := m.Pack()
	if err != nil {
		b.Fatal(err)
	}
	server := net.UDPAddrFromAddrPort(netip.AddrPortFrom(host(base, 1), port))
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		conn, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(host(base, 10), 0)), server)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			lat[c] = benchClient(b, conn, q, &next)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "qps")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	}
}

func benchClient(b *testing.B, conn *net.UDPConn, q []byte, next *atomic.Int64) []time.Duration {
	buf := make([]byte, 1500)
	var lat []time.Duration
	for next.Add(1) <= int64(b.N) {
		t0 := time.Now()
		if _, err := conn.Write(q); err != nil {
			b.Error(err)
			return lat
		}
		conn.SetReadDeadline(t0.Add(time.Second))
		n, err := conn.Read(buf)
		if err != nil || n < 12 || buf[3]&0x0f != 0 {
			b.Errorf("answer: %d bytes, %v", n, err)
			return lat
		}
		lat = append(lat, time.Since(t0))
	}
	return lat
}
