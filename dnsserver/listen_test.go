package dnsserver

import (
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func TestPortTakenFallsBackToHighPort(t *testing.T) {
	base := loopNet(t)
	gw := host(base, 1)
	taken, err := net.ListenPacket("udp", netip.AddrPortFrom(gw, 53).String())
	if err != nil {
		t.Skipf("cannot occupy %s:53 to test the fallback: %v", gw, err)
	}
	defer taken.Close()
	s := New(Options{Upstreams: []netip.AddrPort{}})
	defer s.Close()
	port, err := s.AddNetwork("n", gw, false)
	if err != nil {
		t.Fatalf("AddNetwork with port 53 taken: %v", err)
	}
	if port == 53 || port == 0 {
		t.Fatalf("AddNetwork port = %d, want a free high port", port)
	}
	setEndpoint(t, s, "n", Endpoint{ID: "a", Addr: host(base, 10), Service: "web"})
	resp := query(t, client("udp", host(base, 10)), netip.AddrPortFrom(gw, port).String(), "web.", dns.TypeA)
	if len(resp.Answer) != 1 {
		t.Errorf("web. on fallback port: %v, want one answer", resp.Answer)
	}
	if err := s.RemoveNetwork("n"); err != nil {
		t.Fatalf("RemoveNetwork: %v", err)
	}
	if _, err := net.ListenPacket("udp", netip.AddrPortFrom(gw, port).String()); err != nil {
		t.Errorf("port %d still bound after RemoveNetwork: %v", port, err)
	}
}

// TestConcurrentUpdatesUnderLoad changes records while clients query; run it with -race.
func TestConcurrentUpdatesUnderLoad(t *testing.T) {
	s, base, addr := newTestServer(t, Options{}, false)
	setEndpoint(t, s, "proj_default", Endpoint{ID: "stable", Addr: host(base, 10), Service: "web"})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client("udp", host(base, 10))
			m := new(dns.Msg)
			m.SetQuestion("web.", dns.TypeA)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, _, err := c.Exchange(m, addr)
				if err != nil || resp.Rcode != dns.RcodeSuccess || len(resp.Answer) == 0 {
					errs <- "worker " + string(rune('0'+w)) + ": bad answer"
					return
				}
			}
		}()
	}
	deadline := time.Now().Add(500 * time.Millisecond)
	for i := 0; time.Now().Before(deadline); i++ {
		id := string(rune('a' + i%20))
		ep := Endpoint{ID: id, Addr: host(base, byte(20+i%20)), Service: "web", Aliases: []string{"x" + id}}
		if err := s.SetEndpoint("proj_default", ep); err != nil {
			t.Fatalf("SetEndpoint: %v", err)
		}
		if i%3 == 0 {
			if err := s.RemoveEndpoint("proj_default", id); err != nil {
				t.Fatalf("RemoveEndpoint: %v", err)
			}
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
