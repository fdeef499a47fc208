package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// proxy6Compose publishes web (IPv4 only) on every address and on [::1] only, six (on a
// dual-stack network) on every address, and udp's echo server over UDP.
const proxy6Compose = `services:
  web:
    image: bte-busybox
    command: ["sh", "-c", "echo web-$$GEN > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
    environment: {GEN: "${GEN:-1}"}
    stop_signal: SIGKILL
    ports: ["${TCP}:8080", "[::1]:${LOOP}:8080"]
  six:
    image: bte-busybox
    command: ["sh", "-c", "echo six > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
    stop_signal: SIGKILL
    ports: ["${SIX}:8080"]
    networks: [v6]
  udp:
    image: bte-busybox
    command: ["/udpecho", "9000"]
    stop_signal: SIGKILL
    volumes: ["${ECHO}:/udpecho:ro"]
    ports: ["${UDP}:9000/udp"]
networks:
  v6: {enable_ipv6: true}
`

// buildUDPEcho builds testdata/e2e/udpecho, statically, into a temporary directory.
func buildUDPEcho(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "udpecho")
	cmd := exec.Command("go", "build", "-o", bin, "../../testdata/e2e/udpecho")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build udpecho: %v\n%s", err, out)
	}
	return bin
}

// udpAsk sends msg to addr and returns the answer ("" after a second without one).
func udpAsk(addr, msg string) string {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return ""
	}
	defer c.Close()
	buf := make([]byte, 1500)
	for range 10 { // the container may not listen yet
		c.SetDeadline(time.Now().Add(300 * time.Millisecond))
		c.Write([]byte(msg))
		if n, err := c.Read(buf); err == nil {
			return string(buf[:n])
		}
	}
	return ""
}

// refused reports whether no TCP connection to addr is accepted within a second.
func refused(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
	}
	return err != nil // refused, or no answer in time (a loaded machine): nobody accepted
}

// udp6Bound reports whether an IPv6 UDP socket is bound to port on the host.
func udp6Bound(port string) bool {
	b, _ := os.ReadFile("/proc/net/udp6")
	p, _ := strconv.Atoi(port)
	return strings.Contains(string(b), fmt.Sprintf(":%04X 00000000000000000000000000000000:0000", p))
}

// TestE2EProxy6: published ports answer on the host's IPv6 loopback, TCP and UDP,
// through the supervisor's userland proxy, for a container without IPv6 and one with;
// a port published on [::1] only answers there and not on 127.0.0.1; a recreated
// container takes the port over; a killed supervisor's ports come back with the next
// command; down leaves no listener.
func TestE2EProxy6(t *testing.T) {
	if ln, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skipf("skipping: no IPv6 loopback: %v", err)
	} else {
		ln.Close()
	}
	e := newE2E(t)
	tcp, loop, six, udp := freePort(t), freePort(t), freePort(t), freePort(t)
	e.env = append(e.env, "TCP="+tcp, "LOOP="+loop, "SIX="+six, "UDP="+udp, "ECHO="+buildUDPEcho(t))
	file := writeCompose(t, proxy6Compose)
	_, errs, err := e.berth("-f", file, "up", "-d")
	if err != nil {
		t.Fatalf("up: %v\n%s", err, errs)
	}
	if strings.Contains(errs, "host_ip") {
		t.Errorf("up warned of host_ip ::1:\n%s", errs)
	}
	check := func(when, wantWeb string) {
		t.Helper()
		for url, want := range map[string]string{
			"http://[::1]:" + tcp + "/index.html":     wantWeb,
			"http://127.0.0.1:" + tcp + "/index.html": wantWeb,
			"http://[::1]:" + loop + "/index.html":    wantWeb,
			"http://[::1]:" + six + "/index.html":     "six\n",
		} {
			if got := e.httpGet(url); got != want {
				t.Errorf("%s: GET %s = %q, want %q", when, url, got, want)
			}
		}
		if got := udpAsk("[::1]:"+udp, "ping"); got != "echo:ping" {
			t.Errorf("%s: udp [::1]:%s answered %q, want %q", when, udp, got, "echo:ping")
		}
	}
	check("after up", "web-1\n")
	// web, without IPv6, answers on the host's other IPv6 addresses too (its proxy listens
	// on [::]): here the host's end of a link to a namespace outside berth's networks.
	_, hostAddr, removePeer := e.outsidePeer6()
	if got := e.httpGet("http://[" + hostAddr.String() + "]:" + tcp + "/index.html"); got != "web-1\n" {
		t.Errorf("GET [%s]:%s (a host IPv6 address) = %q, want web's page", hostAddr, tcp, got)
	}
	removePeer()
	if !refused("127.0.0.1:" + loop) {
		t.Errorf("127.0.0.1:%s answers; want only [::1] (host_ip ::1)", loop)
	}

	e.env = append(e.env, "GEN=2")
	e.mustBerth("-f", file, "up", "-d", "web")
	check("after web's recreation", "web-2\n")

	// Removed and made again (a create, checked before anything is made): the old
	// container's proxy socket, still open until the supervisor syncs, is berth's own.
	e.mustBerth("-f", file, "rm", "-s", "-f", "web")
	e.mustBerth("-f", file, "up", "-d", "web")
	check("after web's removal and new up", "web-2\n")

	e.killSupervisors()
	if !refused("[::1]:" + tcp) {
		t.Errorf("[::1]:%s answers with the supervisor killed", tcp)
	}
	e.mustBerth("-f", file, "ps")
	check("after the supervisor came back", "web-2\n")

	e.mustBerth("-f", file, "down", "-t", "1")
	for _, p := range []string{tcp, loop, six} {
		if !refused("[::1]:" + p) {
			t.Errorf("[::1]:%s answers after down", p)
		}
	}
	if udp6Bound(udp) {
		t.Errorf("an IPv6 UDP socket holds port %s after down", udp)
	}
	e.assertNoLeaks()
}

// TestE2EProxy6PortInUse: a port another process holds on [::1] is refused before
// anything is made, naming the process.
func TestE2EProxy6PortInUse(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("skipping: no IPv6 loopback: %v", err)
	}
	defer ln.Close()
	e := newE2E(t)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["sleep", "3600"]
    ports: ["[::1]:`+port+`:80"]
`)
	_, errs, err := e.berth("-f", file, "up", "-d")
	if err == nil || !strings.Contains(errs, "host port tcp/"+port+" is already in use by process") {
		t.Errorf("up with [::1]:%s held = %v, stderr %q; want the port in use", port, err, errs)
	}
	if out := e.mustBerth("-f", file, "ps", "-a", "-q"); out != "" {
		t.Errorf("ps -a after the refused up = %q, want nothing made", out)
	}
}
