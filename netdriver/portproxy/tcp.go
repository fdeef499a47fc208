package portproxy

import (
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// dialTimeout bounds the connection to a backend, which answers at once unless its
// container is gone.
const dialTimeout = 5 * time.Second

type tcpListener struct {
	ln     *net.TCPListener
	target atomic.Pointer[netip.AddrPort]

	mu     sync.Mutex
	conns  map[*net.TCPConn]bool // both ends of every forwarded connection
	closed bool
}

// network is "tcp6" or "tcp4" ("udp6", "udp4") by a's family: an unspecified IPv6 address
// listens on IPv6 only (Go sets IPV6_V6ONLY for a "6" network), leaving IPv4 to DNAT.
func network(proto string, a netip.Addr) string {
	if a.Is4() {
		return proto + "4"
	}
	return proto + "6"
}

func listenTCP(addr, target netip.AddrPort) (*tcpListener, error) {
	ln, err := net.ListenTCP(network("tcp", addr.Addr()), net.TCPAddrFromAddrPort(addr))
	if err != nil {
		return nil, err
	}
	l := &tcpListener{ln: ln, conns: map[*net.TCPConn]bool{}}
	l.target.Store(&target)
	go l.serve()
	return l, nil
}

func (l *tcpListener) Retarget(target netip.AddrPort) { l.target.Store(&target) }

func (l *tcpListener) Close() {
	l.ln.Close()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	for c := range l.conns {
		c.Close()
	}
}

func (l *tcpListener) serve() {
	for {
		c, err := l.ln.AcceptTCP()
		if err != nil {
			return // closed
		}
		go l.forward(c, *l.target.Load())
	}
}

// forward copies c to and from a new connection to target until both directions end,
// passing on each half-close.
func (l *tcpListener) forward(c *net.TCPConn, target netip.AddrPort) {
	defer c.Close()
	if !l.track(c) {
		return
	}
	defer l.untrack(c)
	d := net.Dialer{Timeout: dialTimeout}
	bc, err := d.Dial(network("tcp", target.Addr()), target.String())
	if err != nil {
		return // the client sees its connection closed, as with Docker's proxy
	}
	b := bc.(*net.TCPConn)
	defer b.Close()
	if !l.track(b) {
		return
	}
	defer l.untrack(b)
	done := make(chan struct{})
	go func() {
		pipe(b, c)
		close(done)
	}()
	pipe(c, b)
	<-done
}

// pipe copies src to dst (splice(2) on Linux) and then half-closes both.
func pipe(dst, src *net.TCPConn) {
	io.Copy(dst, src)
	dst.CloseWrite()
	src.CloseRead()
}

// track records c so that Close ends it; false when the listener is already closed.
func (l *tcpListener) track(c *net.TCPConn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.conns[c] = true
	return true
}

func (l *tcpListener) untrack(c *net.TCPConn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
}
