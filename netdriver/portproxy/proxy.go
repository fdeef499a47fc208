// Package portproxy is berth's userland port proxy: it forwards TCP connections and UDP
// datagrams arriving on host addresses the kernel cannot DNAT to a container (IPv6
// loopback, which has no route_localnet; IPv6 addresses of a container without IPv6) to
// the container's address, as Docker's docker-proxy does. A Proxy is a set of listeners,
// one goroutine each, made to match a list of routes by Sync; TCP data moves with
// splice(2) (io.Copy between two *net.TCPConn). It knows nothing of networks or
// containers and imports only the standard library.
//
// The backend sees the proxy's connection, from the host (the bridge's gateway address),
// not the client's address, as with Docker's proxy.
package portproxy

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
)

// Route is one host port the proxy serves: Protocol ("tcp" or "udp") on Listen, forwarded
// to Target.
type Route struct {
	Protocol string
	Listen   netip.AddrPort
	Target   netip.AddrPort
}

// key names a listener: a route without its target.
type key struct {
	proto  string
	listen netip.AddrPort
}

// listener is one served host port: Retarget points new connections or flows at another
// backend; Close stops it and ends its connections and flows.
type listener interface {
	Retarget(netip.AddrPort)
	Close()
}

// Proxy is a set of listeners. Its methods are safe for concurrent use.
type Proxy struct {
	mu        sync.Mutex
	listeners map[key]listener
}

// New returns a Proxy that serves nothing.
func New() *Proxy {
	return &Proxy{listeners: map[key]listener{}}
}

// Sync makes the proxy serve exactly routes: it closes the listeners of routes no longer
// listed (ending their connections), points a kept listener at its route's new target
// (its established connections stay with the old one), and listens for new routes. A
// route that cannot listen (its address is in use, an unknown protocol) does not stop
// the others: the errors come back joined, and a later Sync tries it again.
func (p *Proxy) Sync(routes []Route) error {
	want := map[key]netip.AddrPort{}
	for _, r := range routes {
		want[key{r.Protocol, r.Listen}] = r.Target
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, l := range p.listeners {
		if _, ok := want[k]; !ok {
			l.Close()
			delete(p.listeners, k)
		}
	}
	var errs []error
	for k, target := range want {
		if l, ok := p.listeners[k]; ok {
			l.Retarget(target)
			continue
		}
		l, err := listen(k, target)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.listeners[k] = l
	}
	return errors.Join(errs...)
}

// Close stops every listener. The Proxy may be synced again afterwards.
func (p *Proxy) Close() {
	p.Sync(nil)
}

func listen(k key, target netip.AddrPort) (listener, error) {
	var l listener
	var err error
	switch k.proto {
	case "tcp":
		l, err = listenTCP(k.listen, target)
	case "udp":
		l, err = listenUDP(k.listen, target)
	default:
		err = fmt.Errorf("protocol %q: want tcp or udp", k.proto)
	}
	if err != nil {
		return nil, fmt.Errorf("proxy %s/%s to %s: %w", k.listen, k.proto, target, err)
	}
	return l, nil
}
