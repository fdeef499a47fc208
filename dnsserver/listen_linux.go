package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// listeners are the sockets of one network: several UDP sockets sharing the port with
// SO_REUSEPORT (the kernel spreads queries over them, one reader goroutine each), and
// one TCP listener.
type listeners struct {
	udp  []*net.UDPConn
	tcp  net.Listener
	port uint16
}

func (l *listeners) close() {
	for _, pc := range l.udp {
		pc.Close()
	}
	if l.tcp != nil {
		l.tcp.Close()
	}
}

// listen binds addr:53, or, when that port is taken (EADDRINUSE) or privileged for us
// (EACCES), a free high port of the same address.
func listen(addr netip.Addr, sockets int) (*listeners, error) {
	l, err := listenPort(addr, 53, sockets)
	if err == nil {
		return l, nil
	}
	if !errors.Is(err, syscall.EADDRINUSE) && !errors.Is(err, syscall.EACCES) {
		return nil, err
	}
	for range 16 {
		port, perr := freeUDPPort(addr)
		if perr != nil {
			return nil, perr
		}
		l, err = listenPort(addr, port, sockets)
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, err
		}
	}
	return nil, err
}

func freeUDPPort(addr netip.Addr) (uint16, error) {
	pc, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, 0)))
	if err != nil {
		return 0, fmt.Errorf("find free port on %s: %w", addr, err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).AddrPort().Port(), nil
}

// listenPort binds TCP and the UDP sockets on addr:port. Before sharing the UDP port
// with SO_REUSEPORT it binds it once without, so it never joins another process's
// reuse group (the kernel would let a same-user process share it silently).
func listenPort(addr netip.Addr, port uint16, sockets int) (*listeners, error) {
	ap := netip.AddrPortFrom(addr, port)
	l := &listeners{port: port}
	var err error
	if l.tcp, err = net.ListenTCP("tcp", net.TCPAddrFromAddrPort(ap)); err != nil {
		return nil, fmt.Errorf("listen tcp %s: %w", ap, err)
	}
	probe, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(ap))
	if err != nil {
		l.close()
		return nil, fmt.Errorf("listen udp %s: %w", ap, err)
	}
	probe.Close()
	lc := net.ListenConfig{Control: setReusePort}
	for range sockets {
		pc, err := lc.ListenPacket(context.Background(), "udp", ap.String())
		if err != nil {
			l.close()
			return nil, fmt.Errorf("listen udp %s: %w", ap, err)
		}
		l.udp = append(l.udp, pc.(*net.UDPConn))
	}
	return l, nil
}

func setReusePort(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	})
	if err != nil {
		return err
	}
	return serr
}
