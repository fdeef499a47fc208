package portproxy

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"
)

// echoTCP serves TCP on 127.0.0.1 that answers each connection with prefix and what it
// read, after the client half-closes.
func echoTCP(t testing.TB, prefix string) netip.AddrPort {
	t.Helper()
	return serveTCP(t, func(c net.Conn) {
		b, _ := io.ReadAll(c)
		c.Write(append([]byte(prefix), b...))
	})
}

// serveTCP listens on 127.0.0.1 and runs handle on each connection, closing it after.
func serveTCP(t testing.TB, handle func(net.Conn)) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).AddrPort()
}

// echoUDP answers each datagram on 127.0.0.1 with prefix and the datagram.
func echoUDP(t testing.TB, prefix string) netip.AddrPort {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, maxDatagram)
		for {
			n, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			c.WriteToUDPAddrPort(append([]byte(prefix), buf[:n]...), from)
		}
	}()
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

// freeLoopback6 is [::1]:port with a port free for proto right now.
func freeLoopback6(t testing.TB, proto string) netip.AddrPort {
	t.Helper()
	var a net.Addr
	if proto == "udp" {
		c, err := net.ListenPacket("udp6", "[::1]:0")
		if err != nil {
			t.Skipf("skipping: no IPv6 loopback: %v", err)
		}
		a = c.LocalAddr()
		c.Close()
	} else {
		ln, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			t.Skipf("skipping: no IPv6 loopback: %v", err)
		}
		a = ln.Addr()
		ln.Close()
	}
	return netip.MustParseAddrPort(a.String())
}

func newProxy(t testing.TB, routes ...Route) *Proxy {
	t.Helper()
	p := New()
	t.Cleanup(p.Close)
	if err := p.Sync(routes); err != nil {
		t.Fatalf("Sync(%v) = %v", routes, err)
	}
	return p
}

func tcpRoundTrip(addr netip.AddrPort, msg string) (string, error) {
	c, err := net.DialTimeout("tcp", addr.String(), time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	c.(*net.TCPConn).CloseWrite()
	b, err := io.ReadAll(c)
	return string(b), err
}

func udpRoundTrip(addr netip.AddrPort, msg string) (string, error) {
	c, err := net.Dial("udp", addr.String())
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	buf := make([]byte, maxDatagram)
	n, err := c.Read(buf)
	return string(buf[:n]), err
}

// TestTCP forwards a connection both ways with its half-close, follows a new target
// for new connections, and stops listening when its route goes.
func TestTCP(t *testing.T) {
	a, b := echoTCP(t, "a:"), echoTCP(t, "b:")
	listen := freeLoopback6(t, "tcp")
	p := newProxy(t, Route{"tcp", listen, a})
	big := string(bytes.Repeat([]byte("x"), 1<<20))
	if got, err := tcpRoundTrip(listen, big); err != nil || got != "a:"+big {
		t.Errorf("round trip through %s = %d bytes, %v; want a's echo of 1 MiB", listen, len(got), err)
	}
	if err := p.Sync([]Route{{"tcp", listen, b}}); err != nil {
		t.Fatalf("Sync to b = %v", err)
	}
	if got, err := tcpRoundTrip(listen, "hi"); err != nil || got != "b:hi" {
		t.Errorf("round trip after retarget = %q, %v; want %q", got, err, "b:hi")
	}
	if err := p.Sync(nil); err != nil {
		t.Fatalf("Sync(nil) = %v", err)
	}
	if _, err := tcpRoundTrip(listen, "hi"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial %s after its route went = %v, want connection refused", listen, err)
	}
}

// TestTCPCloseEndsConnections: a removed route ends its open connections, as stopping
// Docker's proxy does.
func TestTCPCloseEndsConnections(t *testing.T) {
	listen := freeLoopback6(t, "tcp")
	p := newProxy(t, Route{"tcp", listen, echoTCP(t, "")})
	c, err := net.Dial("tcp", listen.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("x"))
	time.Sleep(50 * time.Millisecond) // the proxy has accepted and dialled
	p.Sync(nil)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, syscall.ETIMEDOUT) || isTimeout(err) {
		t.Errorf("read of an open connection after Sync(nil) = %v, want it ended", err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestUDP forwards datagrams of two clients, each to its own answer, and follows a new
// target.
func TestUDP(t *testing.T) {
	a, b := echoUDP(t, "a:"), echoUDP(t, "b:")
	listen := freeLoopback6(t, "udp")
	p := newProxy(t, Route{"udp", listen, a})
	for _, msg := range []string{"one", "two"} {
		if got, err := udpRoundTrip(listen, msg); err != nil || got != "a:"+msg {
			t.Errorf("udp round trip %q = %q, %v; want %q", msg, got, err, "a:"+msg)
		}
	}
	p.Sync([]Route{{"udp", listen, b}})
	if got, err := udpRoundTrip(listen, "x"); err != nil || got != "b:x" {
		t.Errorf("udp round trip after retarget = %q, %v; want %q", got, err, "b:x")
	}
}

// TestUDPIdleFlowEnds: a flow without traffic for udpIdle is closed and forgotten.
func TestUDPIdleFlowEnds(t *testing.T) {
	defer func(d time.Duration) { udpIdle = d }(udpIdle)
	udpIdle = 100 * time.Millisecond
	listen := freeLoopback6(t, "udp")
	p := newProxy(t, Route{"udp", listen, echoUDP(t, "")})
	if _, err := udpRoundTrip(listen, "x"); err != nil {
		t.Fatal(err)
	}
	l := p.listeners[key{"udp", listen}].(*udpListener)
	ok := false
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline) && !ok; time.Sleep(20 * time.Millisecond) {
		l.mu.Lock()
		ok = len(l.flows) == 0
		l.mu.Unlock()
	}
	if !ok {
		t.Errorf("flows after %v idle: want none", udpIdle)
	}
}

// TestSyncKeepsOthersOnConflict: a route whose address is taken is reported, and the
// others still listen.
func TestSyncKeepsOthersOnConflict(t *testing.T) {
	taken, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("skipping: no IPv6 loopback: %v", err)
	}
	defer taken.Close()
	busy := netip.MustParseAddrPort(taken.Addr().String())
	free := freeLoopback6(t, "tcp")
	p := New()
	defer p.Close()
	err = p.Sync([]Route{{"tcp", busy, echoTCP(t, "")}, {"tcp", free, echoTCP(t, "ok:")}, {"sctp", free, echoTCP(t, "")}})
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("Sync with %s taken = %v, want EADDRINUSE", busy, err)
	}
	if got, err := tcpRoundTrip(free, "x"); err != nil || got != "ok:x" {
		t.Errorf("round trip on the free route = %q, %v; want %q", got, err, "ok:x")
	}
}
