package portproxy

import (
	"io"
	"net"
	"net/netip"
	"testing"
)

// The proxy's cost: each benchmark runs direct to the backend and through the proxy
// ([::1] → 127.0.0.1), so the two can be compared:
//
//	go test -run - -bench . ./netdriver/portproxy/

// sink serves TCP on 127.0.0.1: it discards what it reads and answers one byte per byte
// read when echo is set.
func sink(b *testing.B, echo bool) netip.AddrPort {
	b.Helper()
	return serveTCP(b, func(c net.Conn) {
		if !echo {
			io.Copy(io.Discard, c)
			return
		}
		io.Copy(c, c)
	})
}

// via is addr itself, or the address of a proxy to it when proxied.
func via(b *testing.B, addr netip.AddrPort, proxied bool) netip.AddrPort {
	if !proxied {
		return addr
	}
	listen := freeLoopback6(b, "tcp")
	newProxy(b, Route{"tcp", listen, addr})
	return listen
}

// BenchmarkTCPThroughput streams 1 MiB per op one way.
func BenchmarkTCPThroughput(b *testing.B) {
	for _, bc := range []struct {
		name    string
		proxied bool
	}{{"direct", false}, {"proxied", true}} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := net.Dial("tcp", via(b, sink(b, false), bc.proxied).String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			buf := make([]byte, 1<<20)
			b.SetBytes(int64(len(buf)))
			b.ResetTimer()
			for b.Loop() {
				if _, err := c.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTCPRoundTrip sends one byte and waits for its echo: the latency the proxy
// adds on an open connection.
func BenchmarkTCPRoundTrip(b *testing.B) {
	for _, bc := range []struct {
		name    string
		proxied bool
	}{{"direct", false}, {"proxied", true}} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := net.Dial("tcp", via(b, sink(b, true), bc.proxied).String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			one := make([]byte, 1)
			for b.Loop() {
				if _, err := c.Write(one); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, one); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTCPConnect opens a connection, exchanges one byte and closes it: the cost of
// the proxy's accept and its dial to the backend.
func BenchmarkTCPConnect(b *testing.B) {
	for _, bc := range []struct {
		name    string
		proxied bool
	}{{"direct", false}, {"proxied", true}} {
		b.Run(bc.name, func(b *testing.B) {
			addr := via(b, sink(b, true), bc.proxied).String()
			one := make([]byte, 1)
			for b.Loop() {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					b.Fatal(err)
				}
				c.Write(one)
				if _, err := io.ReadFull(c, one); err != nil {
					b.Fatal(err)
				}
				c.Close()
			}
		})
	}
}

// BenchmarkUDPRoundTrip sends a 64-byte datagram and waits for its echo.
func BenchmarkUDPRoundTrip(b *testing.B) {
	for _, bc := range []struct {
		name    string
		proxied bool
	}{{"direct", false}, {"proxied", true}} {
		b.Run(bc.name, func(b *testing.B) {
			addr := echoUDP(b, "")
			if bc.proxied {
				listen := freeLoopback6(b, "udp")
				newProxy(b, Route{"udp", listen, addr})
				addr = listen
			}
			c, err := net.Dial("udp", addr.String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			buf := make([]byte, 64)
			for b.Loop() {
				c.Write(buf[:64])
				if _, err := c.Read(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
