package portproxy

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// udpIdle is how long a UDP flow lives without a datagram either way: Docker's proxy's
// (and conntrack's) 90 s.
var udpIdle = 90 * time.Second

// maxDatagram is the largest UDP payload.
const maxDatagram = 65535

// udpListener forwards each client's datagrams through a socket of its own (a flow)
// connected to the backend, and the backend's replies back to that client.
type udpListener struct {
	conn   *net.UDPConn
	target atomic.Pointer[netip.AddrPort]

	mu     sync.Mutex
	flows  map[netip.AddrPort]*net.UDPConn // by client address
	closed bool
}

func listenUDP(addr, target netip.AddrPort) (*udpListener, error) {
	conn, err := net.ListenUDP(network("udp", addr.Addr()), net.UDPAddrFromAddrPort(addr))
	if err != nil {
		return nil, err
	}
	l := &udpListener{conn: conn, flows: map[netip.AddrPort]*net.UDPConn{}}
	l.target.Store(&target)
	go l.serve()
	return l, nil
}

func (l *udpListener) Retarget(target netip.AddrPort) { l.target.Store(&target) }

func (l *udpListener) Close() {
	l.conn.Close()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	for _, f := range l.flows {
		f.Close()
	}
}

func (l *udpListener) serve() {
	buf := make([]byte, maxDatagram)
	for {
		n, client, err := l.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return // closed
		}
		f := l.flow(client)
		if f == nil {
			continue // backend unreachable, or closing: the datagram is lost, as UDP allows
		}
		f.SetReadDeadline(time.Now().Add(udpIdle))
		f.Write(buf[:n])
	}
}

// flow is client's socket to the backend, made (with its reply loop) on its first
// datagram; nil when it cannot be made.
func (l *udpListener) flow(client netip.AddrPort) *net.UDPConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.flows[client]; ok || l.closed {
		return f
	}
	target := *l.target.Load()
	f, err := net.DialUDP(network("udp", target.Addr()), nil, net.UDPAddrFromAddrPort(target))
	if err != nil {
		return nil
	}
	l.flows[client] = f
	go l.replies(client, f)
	return f
}

// replies sends f's datagrams from the backend to client until the flow is idle for
// udpIdle or closed.
func (l *udpListener) replies(client netip.AddrPort, f *net.UDPConn) {
	defer func() {
		l.mu.Lock()
		if l.flows[client] == f {
			delete(l.flows, client)
		}
		l.mu.Unlock()
		f.Close()
	}()
	buf := make([]byte, maxDatagram)
	for {
		f.SetReadDeadline(time.Now().Add(udpIdle))
		n, err := f.Read(buf)
		if err != nil {
			return // idle, closed, or the backend refused (ICMP port unreachable)
		}
		if _, err := l.conn.WriteToUDPAddrPort(buf[:n], client); err != nil {
			return
		}
	}
}
