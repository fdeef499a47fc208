package project

import (
	"fmt"
	"net"
	"strconv"
)

// PortOptions configure Port, as `berth port`'s flags.
type PortOptions struct {
	Protocol string // tcp (default) or udp
	Index    int    // container number of the service; 0: the first
}

// Port returns the public address ("0.0.0.0:8080") that the private port of one
// container of service is published on. An unknown service or container, or a port
// that is not published, is an error wrapping ErrNotFound; a bad protocol ErrInvalid.
func Port(cfg Config, name, service string, private uint16, opts PortOptions) (string, error) {
	proto := opts.Protocol
	if proto == "" {
		proto = "tcp"
	}
	if proto != "tcp" && proto != "udp" {
		return "", fmt.Errorf("protocol %q: want tcp or udp: %w", proto, ErrInvalid)
	}
	st, err := cfg.LoadState(name)
	if err != nil {
		return "", err
	}
	cfg.restoreSupervisor(name, st)
	r := &run{cfg: cfg, st: st}
	if _, err := r.selected([]string{service}); err != nil {
		return "", err
	}
	ctrs := r.containersOf(service)
	var c *ContainerState
	for _, x := range ctrs {
		if opts.Index == 0 || x.Number == opts.Index {
			c = x
			break
		}
	}
	if c == nil {
		if opts.Index == 0 {
			return "", fmt.Errorf("service %q has no container: %w", service, ErrNotFound)
		}
		return "", fmt.Errorf("service %q has no container number %d: %w", service, opts.Index, ErrNotFound)
	}
	for _, p := range c.Ports {
		if p.ContainerPort == private && p.Protocol == proto {
			ip := p.HostIP
			if ip == "" {
				ip = "0.0.0.0"
			}
			return net.JoinHostPort(ip, strconv.Itoa(int(p.HostPort))), nil
		}
	}
	return "", fmt.Errorf("no port %d/%s for container %s: %w", private, proto, c.Name, ErrNotFound)
}
