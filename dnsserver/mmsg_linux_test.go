package dnsserver

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

func TestSockaddrAddrPort(t *testing.T) {
	v4 := func(a [4]byte, port uint16) unix.RawSockaddrInet6 {
		var sa unix.RawSockaddrInet6
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(&sa))
		sa4.Family, sa4.Addr = unix.AF_INET, a
		*(*[2]byte)(unsafe.Pointer(&sa4.Port)) = [2]byte{byte(port >> 8), byte(port)}
		return sa
	}
	v6 := func(a string, port uint16) unix.RawSockaddrInet6 {
		sa := unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: netip.MustParseAddr(a).As16()}
		*(*[2]byte)(unsafe.Pointer(&sa.Port)) = [2]byte{byte(port >> 8), byte(port)}
		return sa
	}
	tests := []struct {
		name string
		sa   unix.RawSockaddrInet6
		want netip.AddrPort
	}{
		{"inet", v4([4]byte{10, 1, 2, 3}, 5353), netip.MustParseAddrPort("10.1.2.3:5353")},
		{"inet6", v6("fd00::7", 53), netip.MustParseAddrPort("[fd00::7]:53")},
		{"v4-mapped", v6("::ffff:10.0.0.9", 40000), netip.MustParseAddrPort("10.0.0.9:40000")},
		{"unix", unix.RawSockaddrInet6{Family: unix.AF_UNIX}, netip.AddrPort{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sockaddrAddrPort(&tt.sa); got != tt.want {
				t.Errorf("sockaddrAddrPort = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestBatchAnswersEveryQuery sends more queries than one batch holds before reading any
// answer, from two sockets in turn, fast-path ones (A) between slow-path ones (PTR), and
// checks that each query gets its own answer on the socket that asked.
func TestBatchAnswersEveryQuery(t *testing.T) {
	s, base, addr := newTestServer(t, Options{UDPSockets: 1}, false)
	setEndpoint(t, s, "proj_default", Endpoint{ID: "c1", Addr: host(base, 10), Service: "web", ContainerName: "proj-web-1"})
	var conns [2]*net.UDPConn
	for i := range conns {
		conn, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(host(base, 10), 0)), net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conns[i] = conn
	}
	ptrName, _ := dns.ReverseAddr(host(base, 10).String())
	const queries = 3*batchSize + 5
	want := map[uint16]string{}
	for i := range queries {
		m := new(dns.Msg)
		if i%5 == 4 {
			m.SetQuestion(ptrName, dns.TypePTR)
			want[uint16(i)] = fmt.Sprintf("socket %d: proj-web-1.proj_default.", i%2)
		} else {
			m.SetQuestion("web.", dns.TypeA)
			want[uint16(i)] = fmt.Sprintf("socket %d: %s", i%2, host(base, 10))
		}
		m.Id = uint16(i)
		b, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conns[i%2].Write(b); err != nil {
			t.Fatal(err)
		}
	}
	got := map[uint16]string{}
	for k, conn := range conns {
		readAnswers(t, conn, queries/2+(queries%2)*(1-k), func(id uint16, rr dns.RR) {
			switch rr := rr.(type) {
			case *dns.A:
				got[id] = fmt.Sprintf("socket %d: %s", k, rr.A)
			case *dns.PTR:
				got[id] = fmt.Sprintf("socket %d: %s", k, rr.Ptr)
			}
		})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers by query ID (-want +got):\n%s", diff)
	}
}

// readAnswers reads n answers of one record each from conn and hands them to f.
func readAnswers(t *testing.T, conn *net.UDPConn, n int, f func(id uint16, rr dns.RR)) {
	t.Helper()
	buf := make([]byte, 1500)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for i := range n {
		k, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("after %d answers: %v", i, err)
		}
		resp := new(dns.Msg)
		if err := resp.Unpack(buf[:k]); err != nil || len(resp.Answer) != 1 {
			t.Fatalf("answer %d: %v %v", i, err, resp)
		}
		f(resp.Id, resp.Answer[0])
	}
}

// TestIPv6Gateway serves a network on ::1 and asks it from ::1 (the gateway itself may
// query), on the fast path (AAAA) and the slow one (PTR).
func TestIPv6Gateway(t *testing.T) {
	s := New(Options{Upstreams: []netip.AddrPort{}})
	t.Cleanup(func() { s.Close() })
	lo := netip.MustParseAddr("::1")
	port, err := s.AddNetwork("v6net", lo, false)
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	setEndpoint(t, s, "v6net", Endpoint{ID: "c1", Addr: netip.MustParseAddr("fd00::5"), Service: "web", ContainerName: "v6-web-1"})
	addr := net.JoinHostPort("::1", strconv.Itoa(int(port)))
	c := client("udp", lo)
	if got := addrs(query(t, c, addr, "web.", dns.TypeAAAA)); !cmp.Equal(got, []string{"fd00::5"}) {
		t.Errorf("web. AAAA = %v, want [fd00::5]", got)
	}
	ptrName, _ := dns.ReverseAddr("fd00::5")
	resp := query(t, c, addr, ptrName, dns.TypePTR)
	if len(resp.Answer) != 1 || resp.Answer[0].(*dns.PTR).Ptr != "v6-web-1.v6net." {
		t.Errorf("PTR %s = %v, want v6-web-1.v6net.", ptrName, resp.Answer)
	}
}
