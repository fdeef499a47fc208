package netdriver

import (
	"context"
	"net"
	"strconv"
	"testing"
)

func TestRedirectDNSInternalAndSweep(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	suffix := randHex(t, 3)
	n, err := d.CreateNetwork(ctx, "btn-i-"+suffix, NetworkOptions{Subnet: pfx("10.232.9.0/24"), Internal: true,
		Labels: map[string]string{"com.docker.compose.project": "p"}})
	if err != nil || !n.Internal || n.Labels["com.docker.compose.project"] != "p" {
		t.Fatalf("CreateNetwork(internal) = %+v, %v", n, err)
	}
	other, err := d.CreateNetwork(ctx, "btn-o-"+suffix, NetworkOptions{Subnet: pfx("10.232.10.0/24")})
	if err != nil {
		t.Fatalf("CreateNetwork(other) = %v", err)
	}
	in1, err := d.CreateNetns("btni1" + suffix)
	if err != nil {
		t.Fatalf("CreateNetns() = %v", err)
	}
	out1, err := d.CreateNetns("btno1" + suffix)
	if err != nil {
		t.Fatalf("CreateNetns() = %v", err)
	}
	if _, err := d.Attach(ctx, in1, n.Name, AttachOptions{}); err != nil {
		t.Fatalf("Attach(internal) = %v", err)
	}
	epOut, err := d.Attach(ctx, out1, other.Name, AttachOptions{})
	if err != nil {
		t.Fatalf("Attach(other) = %v", err)
	}
	echoTCP(t, out1, "7000")
	target := net.JoinHostPort(epOut.Address.Addr().String(), "7000")
	if got, err := roundTrip(t, in1, "tcp4", target); err == nil {
		t.Errorf("internal → %s = %q, want no route out", target, got)
	}

	// The DNS server of another package listens on gateway:port on the host.
	pc, err := net.ListenPacket("udp4", net.JoinHostPort(n.Gateway.String(), "0"))
	if err != nil {
		t.Fatalf("listen on gateway: %v", err)
	}
	defer pc.Close()
	port := uint16(pc.LocalAddr().(*net.UDPAddr).Port)
	go func() {
		buf := make([]byte, 512)
		for {
			k, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(buf[:k], from)
		}
	}()
	if err := d.RedirectDNS(ctx, n.Name, port); err != nil {
		t.Fatalf("RedirectDNS(%d) = %v", port, err)
	}
	dns := net.JoinHostPort(n.Gateway.String(), "53")
	if got, err := roundTrip(t, in1, "udp4", dns); err != nil || got != "hello" {
		t.Errorf("udp %s from the container = %q, %v, want hello via port %s", dns, got, err, strconv.Itoa(int(port)))
	}

	// A second driver on the same StateDir stands for berth after a crash.
	d2, err := New(d.opts)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	if err := d2.Sweep(ctx); err != nil {
		t.Fatalf("Sweep() = %v", err)
	}
	assertGone(t, d, []string{n.Bridge, other.Bridge}, []string{in1, out1})
}
