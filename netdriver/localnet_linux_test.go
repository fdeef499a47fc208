package netdriver

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// TestLoopbackFromBridge plays a container that, root in its own namespace with NET_RAW
// (a default capability), sends hand-made IPv4/UDP frames to its gateway's MAC addressed to
// 127.0.0.1 (CVE-2020-8558). Berth sets route_localnet on its bridges so that ports published
// on 127.0.0.1 work from the host; such frames must still reach neither a host server bound
// to 127.0.0.1 nor another network's port published on 127.0.0.1 only. Frames with a spoofed
// 127.0.0.1 source are dropped as well. A frame to the gateway's own address shows that the
// hand-made frames are delivered at all.
func TestLoopbackFromBridge(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	suffix := randHex(t, 3)
	netA, err := d.CreateNetwork(ctx, "btn-lna-"+suffix, NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork(a) = %v", err)
	}
	netB, err := d.CreateNetwork(ctx, "btn-lnb-"+suffix, NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork(b) = %v", err)
	}
	attacker, err := d.CreateNetns("btnatk" + suffix)
	if err != nil {
		t.Fatalf("CreateNetns(attacker) = %v", err)
	}
	victim, err := d.CreateNetns("btnvic" + suffix)
	if err != nil {
		t.Fatalf("CreateNetns(victim) = %v", err)
	}
	epA, err := d.Attach(ctx, attacker, netA.Name, AttachOptions{})
	if err != nil {
		t.Fatalf("Attach(attacker, a) = %v", err)
	}
	epB, err := d.Attach(ctx, victim, netB.Name, AttachOptions{})
	if err != nil {
		t.Fatalf("Attach(victim, b) = %v", err)
	}
	echoTCP(t, victim, "8080")
	victimSink := udpSink(t, victim, "0.0.0.0:5353")
	pub, err := d.PublishPorts(ctx, epB.Key, []PortMapping{
		{HostIP: netip.MustParseAddr("127.0.0.1"), ContainerPort: 8080, Protocol: "tcp"},
		{HostIP: netip.MustParseAddr("127.0.0.1"), ContainerPort: 5353, Protocol: "udp"}})
	if err != nil || len(pub) != 2 {
		t.Fatalf("PublishPorts(victim) = %+v, %v, want two mappings", pub, err)
	}
	hostSink := udpSink(t, "", "127.0.0.1:0")
	gatewaySink := udpSink(t, "", net.JoinHostPort(netA.Gateway.String(), "0"))
	bridge, err := netlink.LinkByName(netA.Bridge)
	if err != nil {
		t.Fatalf("find bridge %s: %v", netA.Bridge, err)
	}
	send := func(t *testing.T, src netip.Addr, dst netip.AddrPort) {
		t.Helper()
		sendRawUDP(t, attacker, epA.IfName, bridge.Attrs().HardwareAddr, netip.AddrPortFrom(src, 40000), dst)
	}
	own, loopback := epA.Address.Addr(), netip.MustParseAddr("127.0.0.1")

	t.Run("crafted frames are delivered", func(t *testing.T) {
		send(t, own, netip.AddrPortFrom(netA.Gateway, gatewaySink.port))
		if !gatewaySink.saw(time.Second) {
			t.Fatalf("raw UDP to the gateway %s:%d never arrived; the test cannot tell a drop from a broken frame", netA.Gateway, gatewaySink.port)
		}
	})
	t.Run("host loopback server", func(t *testing.T) {
		send(t, own, netip.AddrPortFrom(loopback, hostSink.port))
		if hostSink.saw(500 * time.Millisecond) {
			t.Errorf("raw UDP from a container to 127.0.0.1:%d reached the host's loopback server", hostSink.port)
		}
	})
	t.Run("other network's port published on 127.0.0.1", func(t *testing.T) {
		send(t, own, netip.AddrPortFrom(loopback, pub[1].HostPort))
		if victimSink.saw(500 * time.Millisecond) {
			t.Errorf("raw UDP from network a to 127.0.0.1:%d reached the container of network b", pub[1].HostPort)
		}
	})
	t.Run("spoofed loopback source", func(t *testing.T) {
		// The kernel's own source check drops 127.0.0.1 as a source unless accept_local is
		// set; set it on the test's bridge so that only berth's rule stands in the way.
		sysctl := "/proc/sys/net/ipv4/conf/" + netA.Bridge + "/accept_local"
		if err := os.WriteFile(sysctl, []byte("1"), 0o644); err != nil {
			t.Fatalf("set accept_local on %s: %v", netA.Bridge, err)
		}
		send(t, loopback, netip.AddrPortFrom(netA.Gateway, gatewaySink.port))
		if gatewaySink.saw(500 * time.Millisecond) {
			t.Errorf("raw UDP from 127.0.0.1 (spoofed) on the bridge reached the host's server on %s", netA.Gateway)
		}
	})
	t.Run("published on 127.0.0.1 from the host", func(t *testing.T) {
		addr := "127.0.0.1:" + strconv.Itoa(int(pub[0].HostPort))
		if got, err := roundTrip(t, "", "tcp4", addr); err != nil || got != "hello" {
			t.Errorf("tcp4 %s from the host = %q, %v, want hello", addr, got, err)
		}
	})
}

// sink counts the UDP datagrams a socket receives.
type sink struct {
	port uint16
	got  chan struct{}
}

// saw reports whether a datagram arrived within wait.
func (s *sink) saw(wait time.Duration) bool {
	select {
	case <-s.got:
		return true
	case <-time.After(wait):
		return false
	}
}

// udpSink listens on addr (in the namespace at nsPath, or the host when empty) and signals
// every datagram; the socket is closed at cleanup.
func udpSink(t *testing.T, nsPath, addr string) *sink {
	t.Helper()
	var pc net.PacketConn
	var err error
	listen := func() { pc, err = net.ListenPacket("udp4", addr) }
	if nsPath == "" {
		listen()
	} else {
		inNetns(t, nsPath, listen)
	}
	if err != nil {
		t.Fatalf("listen udp %s in %q: %v", addr, nsPath, err)
	}
	t.Cleanup(func() { pc.Close() })
	s := &sink{port: uint16(pc.LocalAddr().(*net.UDPAddr).Port), got: make(chan struct{}, 16)}
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
			select {
			case s.got <- struct{}{}:
			default:
			}
		}
	}()
	return s
}

// sendRawUDP sends one IPv4/UDP datagram from src to dst, built by hand, out of ifName in the
// namespace at nsPath to the link-layer address mac, as a container with NET_RAW can: the
// kernel's routing in the namespace is not consulted.
func sendRawUDP(t *testing.T, nsPath, ifName string, mac net.HardwareAddr, src, dst netip.AddrPort) {
	t.Helper()
	inNetns(t, nsPath, func() {
		ifc, err := net.InterfaceByName(ifName)
		if err != nil {
			t.Fatalf("find %s in %s: %v", ifName, nsPath, err)
		}
		proto := int(htons(unix.ETH_P_IP))
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM, proto)
		if err != nil {
			t.Fatalf("packet socket in %s: %v", nsPath, err)
		}
		defer unix.Close(fd)
		to := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_IP), Ifindex: ifc.Index, Halen: 6}
		copy(to.Addr[:], mac)
		if err := unix.Sendto(fd, ipv4UDP(src, dst, []byte("hello")), 0, to); err != nil {
			t.Fatalf("send raw udp %s → %s: %v", src, dst, err)
		}
	})
}

// ipv4UDP returns an IPv4 packet carrying one UDP datagram (UDP checksum left out, as IPv4
// allows).
func ipv4UDP(src, dst netip.AddrPort, payload []byte) []byte {
	p := make([]byte, 28+len(payload))
	p[0], p[8], p[9] = 0x45, 64, unix.IPPROTO_UDP
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	binary.BigEndian.PutUint16(p[6:], 0x4000) // don't fragment
	s, d := src.Addr().As4(), dst.Addr().As4()
	copy(p[12:], s[:])
	copy(p[16:], d[:])
	binary.BigEndian.PutUint16(p[10:], ipChecksum(p[:20]))
	binary.BigEndian.PutUint16(p[20:], src.Port())
	binary.BigEndian.PutUint16(p[22:], dst.Port())
	binary.BigEndian.PutUint16(p[24:], uint16(8+len(payload)))
	copy(p[28:], payload)
	return p
}

func ipChecksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i < len(h); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
