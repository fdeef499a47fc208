package main

import (
	"fmt"
	mathrand "math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestE2EBindSourceCreated: a bind whose host directory is missing is created, short
// syntax or long (Compose's create_host_path defaults to true); with
// bind.create_host_path: false up fails and creates nothing.
func TestE2EBindSourceCreated(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sh", "-c", "echo short > /short/out; echo long > /long/out; exec sleep 3600"]
    stop_signal: SIGKILL
    volumes:
      - ./missing/short:/short
      - {type: bind, source: ./missing/long, target: /long}
`)
	dir := filepath.Dir(file)
	e.mustBerth("-f", file, "up", "-d")
	for _, name := range []string{"short", "long"} {
		path := filepath.Join(dir, "missing", name, "out")
		if !eventually(5*time.Second, func() bool { b, _ := os.ReadFile(path); return string(b) == name+"\n" }) {
			b, err := os.ReadFile(path)
			t.Errorf("%s = %q, %v; want %q written through the created bind", path, b, err, name+"\n")
		}
	}
	e.mustBerth("-f", file, "down", "-t", "1")

	strict := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sleep", "3600"]
    volumes:
      - {type: bind, source: ./absent, target: /data, bind: {create_host_path: false}}
`)
	_, errs, err := e.berth("-f", strict, "up", "-d")
	if err == nil || !strings.Contains(errs, "bind.create_host_path is false") {
		t.Errorf("up with a missing bind and create_host_path: false = %v, stderr %q; want an error naming it", err, errs)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(strict), "absent")); err == nil {
		t.Errorf("up created the bind source although create_host_path is false")
	}
	e.mustBerth("-f", strict, "down")
	e.assertNoLeaks()
}

// TestE2EHostGatewayAndDNS: extra_hosts' host-gateway is the network's gateway, and a
// dns: setting keeps the embedded DNS (service names resolve) while other names go to
// the listed server, as Docker. The listed server is a fake on a loopback address of
// the host, which the container could not reach itself: only the embedded DNS (in the
// host's namespace) can; the project's default upstream is a dead port.
func TestE2EHostGatewayAndDNS(t *testing.T) {
	e := newE2E(t)
	server := fakeDNS(t, "ext.berth.test.", "192.0.2.77")
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  app:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    dns: [`+server+`]
    extra_hosts: ["host.docker.internal:host-gateway"]
`)
	e.mustBerth("-f", file, "up", "-d")
	route := e.mustBerth("-f", file, "exec", "-T", "app", "busybox", "ip", "route")
	var gateway string
	for _, l := range strings.Split(route, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "default" {
			gateway = f[2]
		}
	}
	hosts := e.mustBerth("-f", file, "exec", "-T", "app", "cat", "/etc/hosts")
	if gateway == "" || !strings.Contains(hosts, gateway+"\thost.docker.internal\n") {
		t.Errorf("/etc/hosts = %q, want host.docker.internal at the gateway %q (ip route: %q)", hosts, gateway, route)
	}
	for name, want := range map[string]string{"web": "Address: ", "ext.berth.test": "Address: 192.0.2.77"} {
		out, errs, err := e.berth("-f", file, "exec", "-T", "app", "nslookup", name)
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("nslookup %s in app = %v, stdout %q, stderr %q; want %q", name, err, out, errs, want)
		}
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

// fakeDNS serves A name -> addr (and no other record of name) on UDP port 53 of a random 127.77.x.y address and
// returns that address.
func fakeDNS(t *testing.T, name, addr string) string {
	t.Helper()
	ip := fmt.Sprintf("127.77.%d.%d", 1+mathrand.IntN(250), 1+mathrand.IntN(250))
	pc, err := net.ListenPacket("udp", ip+":53")
	if err != nil {
		t.Skipf("skipping: cannot listen on %s:53: %v", ip, err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		switch q := req.Question; {
		case len(q) != 1 || !strings.EqualFold(q[0].Name, name):
			m.Rcode = dns.RcodeNameError
		case q[0].Qtype == dns.TypeA:
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 5},
				A: net.ParseIP(addr)})
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return ip
}

// TestE2EImageBuiltByAnotherService: a service whose image another service of the
// project builds waits for that build instead of trying to pull it (its name sorts
// first, so it is resolved first).
func TestE2EImageBuiltByAnotherService(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  app:
    image: `+e.project+`-zbuilder
    command: ["sh", "-c", "cat /built; exec sleep 3600"]
    stop_signal: SIGKILL
  zbuilder:
    build:
      context: .
      dockerfile_inline: |
        FROM bte-busybox
        RUN echo built > /built
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-f", file, "up", "-d")
	e.waitLog(file, "| built") // only app prints
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}
